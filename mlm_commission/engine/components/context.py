"""Everything a component needs to know about one period, computed once."""
from dataclasses import dataclass, field

import numpy as np

from ..forests import Forest
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

    def version_groups(self):
        """Yield ``(version, selection)`` for each plan version used by the period's orders."""
        for index in np.unique(self.order_version):
            yield self.plan_set.versions[index], np.flatnonzero(self.order_version == index)
