"""One commission period: volumes -> ranks -> components -> clawback -> matching -> cap.

:func:`run_period` is the engine's entry point for the ERP layer.  Order
components (stair-step, unilevel, matrix, fast start) use the plan version
valid on each order's date; period components (ranks, binary, pools, rank
advancement, matching, payout cap) the version valid on the period's last day.
"""
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .components import (binary, clawback, fast_start, matching, matrix, payout_cap, pools,
                         rank_advancement, ranks, stairstep, unilevel, volumes)
from .components.context import PeriodContext
from .errors import EngineInputError
from .forests import sponsor_forest
from .lines import Lines
from .tables import ACTIVE, TERMINATED, Returns


@dataclass
class PeriodState:
    """What one period hands to the next.

    highest: int16[N] highest rank reached; carry: int64[N, 2] binary carry
    (left, right) in cents; streak/advanced: R x N rank-advancement state;
    ledger: stored order lines for clawback; period_ids: ids of the periods
    run so far, by period position.
    """
    highest: np.ndarray
    carry: np.ndarray
    streak: np.ndarray
    advanced: np.ndarray
    ledger: clawback.Ledger
    period_ids: tuple = ()

    @classmethod
    def initial(cls, plan_set, partners, orders, carry_in=None):
        carry = np.zeros((len(partners), 2), np.int64) if carry_in is None else carry_in
        streak, advanced = rank_advancement.initial_state(
            len(plan_set.rank_names), partners.previous_highest)
        return cls(partners.previous_highest.copy(), carry, streak, advanced,
                   clawback.Ledger.empty(len(orders)))


@dataclass
class PeriodResult:
    """Everything computed for one period; arrays are indexed by partner position.

    present/active: bool[N]; pv, cv, gv: int64[N] cents; ranks:
    :class:`~.components.ranks.RankResult`; line_batches: the computed
    :class:`~.lines.Lines` batches; ``unordered_lines``: them concatenated in
    (deterministic) computation order, for bulk writes; ``lines``: the same
    in canonical order (both built on first use);
    carry_in/carry_out: int64[N, 2]; legs/cycles: the
    binary leg volumes int64[N, 2] and cycles int64[N] (None without binary);
    timings: seconds per step.
    """
    plan_set: object
    version: object
    period: object
    partners: object
    orders: object
    present: np.ndarray
    active: np.ndarray
    pv: np.ndarray
    cv: np.ndarray
    gv: np.ndarray
    ranks: object
    line_batches: list
    carry_in: np.ndarray
    carry_out: np.ndarray
    legs: object
    cycles: object
    company_pv: int
    company_cv: int
    state: PeriodState
    timings: dict = field(default_factory=dict)

    @cached_property
    def unordered_lines(self):
        """All lines of the period in computation order (deterministic)."""
        return Lines.concat(self.line_batches)

    @cached_property
    def lines(self):
        """The period's lines in canonical order (``lines.SORT_KEY``), computed once."""
        return self.unordered_lines.sorted()

    def company_volume(self, kind):
        """The company's ``'pv'`` or ``'cv'`` of the period (cents)."""
        return self.company_pv if kind == 'pv' else self.company_cv

    def totals(self):
        """Totals in cents: ``payout``, ``clawback`` and ``by_component`` (dict)."""
        from .report import totals
        return totals(self)

    def to_json(self, explain=None):
        """The period as a JSON-ready dict (see docs/plans.md, "--json output")."""
        from .report import period_json
        return period_json(self, explain)


class _Stopwatch:
    def __init__(self):
        self.timings = {}

    @contextmanager
    def __call__(self, name):
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def run_period(plan_set, partners, orders, period, returns=None, carry_in=None, previous=None):
    """Compute one period.

    ``orders``/``returns`` are the scenario-wide tables (only rows of this
    period are used; earlier orders are needed for returns); ``carry_in``
    (int64[N, 2]) is used when there is no ``previous`` :class:`PeriodState`.
    Returns a :class:`PeriodResult` whose ``state`` feeds the next period.
    """
    watch = _Stopwatch()
    returns = Returns.empty() if returns is None else returns
    state = previous or PeriodState.initial(plan_set, partners, orders, carry_in)
    version = plan_set.version_at(period.end_day)
    with watch('volumes'):
        flows = _VolumeFlows.of(partners, orders, returns, period, version)
    with watch('ranks'):
        rank_result = ranks.qualify(version, flows.forest, flows.pv, flows.gv,
                                    flows.present & flows.status_active,
                                    partners.rank_override, state.highest)
    ctx = flows.context(plan_set, version, period, partners, orders, rank_result.paid_as)
    batches = _order_lines(ctx, watch)
    carry_out, legs, cycles = state.carry, None, None
    if version.binary is not None:
        with watch('binary'):
            result = binary.compute(ctx, version.binary, state.carry, version.index)
        batches.append(result.lines)
        carry_out, legs, cycles = result.carry_out, result.legs, result.cycles
    with watch('rank_advancement'):
        streak = rank_advancement.advance(state.streak, rank_result.qualified)
        advanced = state.advanced
        if version.rank_advancement is not None:
            bonus_lines, advanced = rank_advancement.compute(
                ctx, version.rank_advancement, streak, advanced, version.index)
            batches.append(bonus_lines)
    if version.pools:
        with watch('pools'):
            batches.extend(pools.compute(ctx, version.pools, version.index))
    with watch('clawback'):
        claw_lines, ledger = clawback.compute(state.ledger, *flows.later_returns(returns))
        batches.append(claw_lines)
    if version.matching is not None:
        with watch('matching'):
            earned = matching.earnings(len(partners), batches, version.matching.components)
            batches.extend(matching.compute(ctx, version.matching, earned, version.index))
    ctx.forget_searches()
    if version.payout_cap is not None:
        with watch('payout_cap'):
            cap = version.payout_cap
            payout_cap.apply(batches, ctx.company_volume(cap.volume), cap)
    ledger = ledger.recorded(batches, period.index, flows.selection, flows.order_pv,
                             flows.order_cv)
    period_ids = state.period_ids[:period.index] + (period.id,)
    return PeriodResult(
        plan_set=plan_set, version=version, period=period, partners=partners, orders=orders,
        present=flows.present, active=ctx.active, pv=flows.pv, cv=flows.cv, gv=flows.gv,
        ranks=rank_result, line_batches=batches, carry_in=state.carry, carry_out=carry_out,
        legs=legs, cycles=cycles, company_pv=ctx.company_pv, company_cv=ctx.company_cv,
        state=PeriodState(rank_result.highest, carry_out, streak, advanced, ledger, period_ids),
        timings=watch.timings)


ORDER_COMPONENTS = (('stairstep', stairstep), ('unilevel', unilevel), ('matrix', matrix),
                    ('fast_start', fast_start))


def _order_lines(ctx, watch):
    """Line batches of the order components, each order under its own plan version."""
    batches = []
    for order_version, chosen in ctx.version_groups():
        for name, module in ORDER_COMPONENTS:
            plan = getattr(order_version, name)
            if plan is not None:
                with watch(name):
                    batches.extend(module.compute(ctx, plan, chosen, order_version.index))
    return batches


@dataclass
class _VolumeFlows:
    """The period's commissionable orders, returns of earlier orders and volumes."""
    forest: object
    present: np.ndarray
    status_active: np.ndarray
    selection: np.ndarray
    order_pv: np.ndarray
    order_cv: np.ndarray
    later: np.ndarray
    pv: np.ndarray
    cv: np.ndarray
    gv: np.ndarray
    active: np.ndarray
    company_pv: int
    company_cv: int

    @classmethod
    def of(cls, partners, orders, returns, period, version):
        forest = sponsor_forest(partners)
        present = (partners.join_day <= period.end_day) & (partners.status != TERMINATED)
        status_active = partners.status == ACTIVE
        selection, order_pv, order_cv = _net_orders(orders, returns, period)
        later = np.flatnonzero((returns.period == period.index)
                               & (orders.period[returns.order] < period.index))
        returned = returns.order[later]
        event_pv = np.concatenate([order_pv, -returns.pv[later]])
        event_cv = np.concatenate([order_cv, -returns.cv[later]])
        pv, cv = volumes.personal(
            len(partners), np.concatenate([orders.partner[selection], orders.partner[returned]]),
            np.concatenate([orders.customer[selection], orders.customer[returned]]),
            event_pv, event_cv, version.customer_volume_counts)
        return cls(forest, present, status_active, selection, order_pv, order_cv, later, pv, cv,
                   volumes.group(forest, pv),
                   volumes.active(present, status_active, pv, version.activity_min_pv),
                   int(event_pv.sum()), int(event_cv.sum()))

    def later_returns(self, returns):
        """``(orders, pv, cv)`` of this period's returns of earlier periods' orders."""
        return returns.order[self.later], returns.pv[self.later], returns.cv[self.later]

    def context(self, plan_set, version, period, partners, orders, paid_as):
        order_version = plan_set.version_index_at(orders.order_day[self.selection])
        if len(order_version) and order_version.min() < 0:
            first = orders.ids[self.selection[np.argmin(order_version)]]
            raise EngineInputError([f'order {first!r}: no plan version is valid on its date'])
        return PeriodContext(
            plan_set=plan_set, version=version, period=period, partners=partners,
            sponsor=self.forest, present=self.present, active=self.active, paid_as=paid_as,
            pv=self.pv, cv=self.cv, all_orders=orders, orders=self.selection,
            order_pv=self.order_pv, order_cv=self.order_cv, order_version=order_version,
            company_pv=self.company_pv, company_cv=self.company_cv)


def _net_orders(orders, returns, period):
    """Commissionable orders of the period and their PV/CV net of same-period returns."""
    selection = np.flatnonzero((orders.period == period.index)
                               & (orders.paid_day >= 0)).astype(np.int32)
    same = np.flatnonzero((returns.period == period.index)
                          & (orders.period[returns.order] == period.index))
    net_pv, net_cv = orders.pv.copy(), orders.cv.copy()
    np.subtract.at(net_pv, returns.order[same], returns.pv[same])
    np.subtract.at(net_cv, returns.order[same], returns.cv[same])
    return selection, net_pv[selection], net_cv[selection]
