"""Stair-step differential, tier-slot variant and breakaway generation overrides.

For every order (positions ``selection`` into the period's orders, base
volume int64 cents) the line of payers runs from the buyer partner (level 0,
its own volume) up the sponsor forest.

* ``differential``: a partner earns its rank's rate minus the highest rate
  already paid below it on that line; equal or higher rates below block it.
  Payers are found by pointer jumping: ``payer_k`` is the nearest active
  partner (buyer included) whose rate is at least the k-th distinct rate.
* ``tier_slot``: each rank's increment ``rate[r] - rate[r-1]`` is paid once,
  to the first active partner at or above rank ``r`` (one line per slot).
* ``breakaway``: the first partner at or above the breakaway rank on the line
  (the buyer included) closes generation 0; the next such leader above it
  earns generation 1's rate, and so on.  A leader that is not active earns
  nothing for its generation (no compression) but still ends it.

Rates are micro-units per rank (int64[R]); unranked partners earn nothing.
"""
import numpy as np

from ..lines import rate_lines
from ..tree import lift


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the stair-step component for the orders at ``selection``."""
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    base = ctx.order_volume(plan.volume, selection)
    if plan.variant == 'differential':
        paid = _differential(ctx, plan.rates, buyers)
    else:
        paid = _tier_slots(ctx, plan.rates, buyers)
    batches = [_lines('stairstep', plan.volume, ctx, orders, buyers, base, version_index, *p)
               for p in paid]
    if plan.breakaway_rank >= 0 and len(plan.generations):
        batches += [_lines('breakaway', plan.volume, ctx, orders, buyers, base, version_index, *p)
                    for p in _breakaway(ctx, plan, buyers)]
    return batches


def _lines(component, basis, ctx, orders, buyers, base, version_index,
           rows, payers, rates, paid_level):
    depth = ctx.sponsor.depth
    sources = buyers[rows]
    return rate_lines(
        component, basis, payers, base[rows], rates, ranks=ctx.paid_as, version=version_index,
        source_partner=sources, source_order=orders[rows],
        level=depth[sources] - depth[payers], paid_level=paid_level)


def _differential(ctx, rates, buyers):
    """Yield ``(rows, payers, rate_differences, paid_level)`` per payer step.

    ``nearest[k, v]`` is the nearest active partner at or above ``v`` whose
    rate reaches the k-th distinct rate; each step looks up, for every order
    still open, the first partner paying more than the line has paid so far.
    """
    node_rate = np.where(ctx.active & (ctx.paid_as >= 0), rates[np.maximum(ctx.paid_as, 0)], 0)
    thresholds = np.unique(node_rate[node_rate > 0])
    if not len(thresholds):
        return
    nearest = np.stack([ctx.nearest_ranked(rates >= t) for t in thresholds])
    rows = np.arange(len(buyers))
    start = buyers
    paid_rate = np.zeros(len(buyers), np.int64)
    next_level = np.zeros(len(buyers), np.intp)
    for step in range(1, len(thresholds) + 1):
        payers = nearest[next_level, start]
        found = payers >= 0
        rows, payers, paid_rate = rows[found], payers[found], paid_rate[found]
        if not len(rows):
            return
        yield rows, payers, node_rate[payers] - paid_rate, step
        paid_rate = node_rate[payers]
        next_level = np.searchsorted(thresholds, paid_rate, side='right')
        start = ctx.sponsor.parent[payers]
        open_lines = (next_level < len(thresholds)) & (start >= 0)
        rows, start, paid_rate, next_level = (
            rows[open_lines], start[open_lines], paid_rate[open_lines], next_level[open_lines])


def _tier_slots(ctx, rates, buyers):
    """Yield one ``(rows, payers, increment, slot)`` per rank with a positive increment."""
    increments = np.diff(rates, prepend=0)
    ranks = np.arange(len(rates))
    for rank in np.flatnonzero(increments > 0):
        payers = lift(ctx.nearest_ranked(ranks >= rank), buyers)
        rows = np.flatnonzero(payers >= 0)
        yield rows, payers[rows], increments[rank], rank + 1


def _breakaway(ctx, plan, buyers):
    """Yield ``(rows, leaders, generation_rate, generation)`` for each generation."""
    leader_ranks = np.arange(len(plan.rates)) >= plan.breakaway_rank
    leader_above = ctx.nearest_ranked_above(leader_ranks, active_only=False)
    leaders = lift(ctx.nearest_ranked(leader_ranks, active_only=False), buyers)
    rows = np.arange(len(buyers))
    for generation, rate in enumerate(plan.generations, start=1):
        leaders = lift(leader_above, leaders)
        found = leaders >= 0
        rows, leaders = rows[found], leaders[found]
        paid = ctx.active[leaders]
        yield rows[paid], leaders[paid], rate, generation
