"""Binary: leg volumes, cycles (fixed, ratio or weak-leg %), carry, flush and caps.

Shapes: ``carry_in`` and the returned ``carry_out`` are int64[N, 2] cents
(left, right).  Leg volume of the period is the net personal volume (PV or
CV) summed over the whole binary subtree of the left/right child; it is added
to the carry and floored at 0.

* ``fixed``: ``cycles = min(left // left_threshold, right // right_threshold)``.
* ``ratio``: the smaller leg is the weak leg (left on a tie);
  ``cycles = min(weak // weak_volume, strong // strong_volume)``.
* ``weak_leg_percent``: the weak leg's volume is paid at ``rate``; both legs
  lose that volume.

A partner earns only when active and at least ``min_rank``; an earning
partner's cycles pay its rank's cycle value.  Caps (``max_cycles``,
``max_earnings``) limit the paid cycles (or paid weak volume); the excess
volume is flushed or stays in carry (``excess``).  Afterwards the stronger
leg's carry is capped at ``strong_leg_carry_cap`` and, with
``flush_inactive``, an inactive partner's carry is set to 0.
"""
from dataclasses import dataclass

import numpy as np

from ..forests import binary_children, binary_forest
from ..lines import rate_lines
from ..money import RATE_SCALE
from ..plan.model import UNSET
from ..tables import LEFT, RIGHT
from ..tree import subtree_sums

CYCLE_UNIT = 100
CENTS_TO_MICRO = RATE_SCALE // 100


@dataclass
class BinaryResult:
    """lines; legs: int64[N, 2] new leg volume; cycles: int64[N]; carry_out: int64[N, 2]."""
    lines: object
    legs: np.ndarray
    cycles: np.ndarray
    carry_out: np.ndarray


def leg_volumes(partners, volume):
    """int64[N, 2]: the period's volume below the left and right child of each partner."""
    forest = binary_forest(partners)
    below = subtree_sums(forest.parent, forest.levels, volume)
    children = binary_children(partners)
    return np.where(children >= 0, below[np.maximum(children, 0)], 0)


def compute(ctx, plan, carry_in, version_index):
    """Pair the legs of every partner; return :class:`BinaryResult`."""
    legs = leg_volumes(ctx.partners, ctx.personal_volume(plan.volume))
    available = np.maximum(carry_in + legs, 0)
    earning = ctx.qualifies(plan.min_rank)
    values = np.where(ctx.paid_as >= 0, plan.cycle_values[np.maximum(ctx.paid_as, 0)],
                      plan.cycle_value)
    left, right = available[:, LEFT], available[:, RIGHT]
    left_weak = left <= right
    if plan.pairing == 'weak_leg_percent':
        weak = np.where(earning, np.minimum(left, right), 0)
        paid = _capped_weak_volume(plan, weak)
        used = weak if plan.excess == 'flush' else paid
        consumed = np.stack([used, used], axis=1)
        cycles = np.zeros(len(left), np.int64)
        lines = rate_lines('binary', 'volume', np.flatnonzero(paid), paid[paid > 0], plan.rate,
                           ranks=ctx.paid_as, version=version_index)
    else:
        if plan.pairing == 'fixed':
            per_cycle = np.broadcast_to(np.array([plan.left, plan.right]), available.shape)
        else:
            per_cycle = np.where(left_weak[:, None], [plan.weak, plan.strong],
                                 [plan.strong, plan.weak])
        cycles = np.where(earning, (available // per_cycle).min(axis=1), 0)
        paid_cycles = _capped_cycles(plan, cycles, values)
        used_cycles = cycles if plan.excess == 'flush' else paid_cycles
        consumed = used_cycles[:, None] * per_cycle
        payees = np.flatnonzero(paid_cycles)
        lines = rate_lines('binary', 'cycles', payees, paid_cycles[payees] * CYCLE_UNIT,
                           values[payees] * CENTS_TO_MICRO, ranks=ctx.paid_as,
                           version=version_index)
    carry_out = available - consumed
    if plan.strong_leg_carry_cap != UNSET:
        strong = np.where(left_weak, RIGHT, LEFT)
        rows = np.arange(len(left))
        carry_out[rows, strong] = np.minimum(carry_out[rows, strong], plan.strong_leg_carry_cap)
    if plan.flush_inactive:
        carry_out[~ctx.active] = 0
    return BinaryResult(lines, legs, cycles, carry_out)


def _capped_cycles(plan, cycles, values):
    paid = cycles
    if plan.max_cycles != UNSET:
        paid = np.minimum(paid, plan.max_cycles)
    if plan.max_earnings != UNSET:
        affordable = np.where(values > 0, plan.max_earnings // np.maximum(values, 1), paid)
        paid = np.minimum(paid, affordable)
    return paid


def _capped_weak_volume(plan, weak):
    if plan.max_earnings == UNSET or plan.rate == 0:
        return weak
    return np.minimum(weak, plan.max_earnings * RATE_SCALE // plan.rate)
