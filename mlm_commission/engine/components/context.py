"""Everything a component needs to know about one period, computed once."""
from dataclasses import dataclass, field

import numpy as np

from ..forests import Forest
from ..lines import BASES, COMPONENTS, Lines, narrow
from ..money import apply_rate
from ..plan.model import PlanSet, PlanVersion
from ..tables import Orders, Partners, Period
from ..tree import lift, nearest_marked


@dataclass
class PeriodContext:
    """Per-period inputs shared by the components.

    present: bool[N] partner has joined by the period end and is not
    terminated; active: bool[N] may earn (status active, present, PV >=
    activity minimum); paid_as: int16[N] paid-as rank (-1 none);
    pv, cv: int64[N] personal net volume in cents (customer volume included
    when the plan says so); orders: positions of the period's commissionable
    orders with their net ``order_pv``/``order_cv`` (int64, cents).
    """
    plan_set: PlanSet
    version: PlanVersion
    period: Period
    partners: Partners
    sponsor: Forest
    present: np.ndarray
    active: np.ndarray
    paid_as: np.ndarray
    pv: np.ndarray
    cv: np.ndarray
    all_orders: Orders
    orders: np.ndarray
    order_pv: np.ndarray
    order_cv: np.ndarray
    order_version: np.ndarray
    company_pv: int
    company_cv: int
    _nearest: dict = field(default_factory=dict, repr=False)

    def order_volume(self, kind, selection):
        """Net volume (cents) of the orders at ``selection`` (positions into ``orders``)."""
        return (self.order_pv if kind == 'pv' else self.order_cv)[selection]

    def order_lines(self, component, basis, source_orders, payees, base, rate, *, version,
                    paid_level, level=None, rate_of=None):
        """Lines paying ``base * rate`` of ``source_orders`` to ``payees``; zero amounts dropped.

        ``source_orders``/``payees``: int[K] order and partner positions, ``base``
        int64[K] cents, ``rate`` micro-units (int64[K] or a scalar); ``paid_level``
        and ``level`` scalars, ``level`` None for the depth difference on the
        sponsor line.  Only beneficiary, source order, amount and a per-line rate
        (unless ``rate_of(lines)`` recomputes it) are stored; source partner,
        base, rank and level are derived on first read (ADR 0016).
        """
        amount = apply_rate(base, rate)
        if not amount.all():
            kept = amount != 0
            source_orders, payees, amount = source_orders[kept], payees[kept], amount[kept]
            if np.ndim(rate):
                rate = rate[kept]
        derived = {'source_partner': self._buyer_of, 'rank': self._rank_of,
                   'base': self._pv_base_of if basis == 'pv' else self._cv_base_of}
        if level is None:
            derived['level'] = self._sponsor_level_of
        if rate_of is not None:
            derived['rate'] = rate_of
            rate = None
        elif np.ndim(rate):
            rate = narrow(rate)
        return Lines(derived, beneficiary=payees, source_order=source_orders,
                     amount=narrow(amount), rate=rate, component=COMPONENTS.index(component),
                     basis=BASES.index(basis), paid_level=paid_level, level=level,
                     version=version)

    def earning_lines(self, component, earners, payees, earned, rate, *, version, paid_level):
        """Lines paying ``rate`` of ``earned`` (int64[N] cents) of ``earners`` to ``payees``.

        Stored: beneficiary, source partner (the earner), amount; base, rank and
        level (on the sponsor line) are derived on first read.
        """
        amount = apply_rate(earned[earners], rate)
        if not amount.all():
            kept = amount != 0
            earners, payees, amount = earners[kept], payees[kept], amount[kept]
        return Lines({'rank': self._rank_of, 'level': self._sponsor_level_of,
                      'base': lambda lines: earned[lines.source_partner]},
                     beneficiary=payees, source_partner=earners, amount=narrow(amount),
                     rate=rate,
                     component=COMPONENTS.index(component), basis=BASES.index('earnings'),
                     paid_level=paid_level, version=version)

    def _buyer_of(self, lines):
        return self.all_orders.partner[lines.source_order]

    def _rank_of(self, lines):
        return self.paid_as[lines.beneficiary]

    def _sponsor_level_of(self, lines):
        depth = self.sponsor.depth
        return depth[lines.source_partner] - depth[lines.beneficiary]

    def _pv_base_of(self, lines):
        return self.order_pv[np.searchsorted(self.orders, lines.source_order)]

    def _cv_base_of(self, lines):
        return self.order_cv[np.searchsorted(self.orders, lines.source_order)]

    def personal_volume(self, kind):
        return self.pv if kind == 'pv' else self.cv

    def company_volume(self, kind):
        return self.company_pv if kind == 'pv' else self.company_cv

    def qualifies(self, min_rank):
        """bool[N]: active and paid-as rank at least ``min_rank``."""
        return self.active & (self.paid_as >= min_rank)

    def nearest_ranked(self, rank_mask, active_only=True):
        """int32[N]: nearest partner on the sponsor line (self included) holding a rank in
        ``rank_mask`` (bool[R], paid-as) - and active if ``active_only`` - or -1.

        Memoised per period: components asking for the same set share the result.
        """
        key = (np.asarray(rank_mask, bool).tobytes(), active_only)
        if key not in self._nearest:
            # paid_as -1 (no rank) picks the appended False
            marked = np.append(rank_mask, False)[self.paid_as]
            if active_only:
                marked &= self.active
            self._nearest[key] = nearest_marked(self.sponsor.parent, marked)
        return self._nearest[key]

    def nearest_ranked_above(self, rank_mask, active_only=True):
        """Like :meth:`nearest_ranked` but strictly above each partner (memoised too)."""
        key = (np.asarray(rank_mask, bool).tobytes(), active_only, 'above')
        if key not in self._nearest:
            self._nearest[key] = lift(self.nearest_ranked(rank_mask, active_only),
                                      self.sponsor.parent)
        return self._nearest[key]

    def forget_searches(self):
        """Drop the memoised nearest-partner arrays (lines keep the context alive)."""
        self._nearest.clear()

    def version_groups(self):
        """Yield ``(version, selection)`` for each plan version used by the period's orders."""
        for index in np.unique(self.order_version):
            yield self.plan_set.versions[index], np.flatnonzero(self.order_version == index)
