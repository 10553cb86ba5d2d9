"""Personal, group and leg volumes.

Volume events are net order volumes of the period (``+``) and returns of
earlier orders (``-``): arrays of length ``E`` with the partner position
(int32), the customer flag (bool) and PV/CV (int64 cents).  Customer volume
counts to the partner when the plan says so.
"""
import numpy as np

from ..tree import subtree_sums


def personal(size, partner, customer, pv, cv, customer_volume_counts):
    """Return ``(pv, cv)``: int64[N] net personal volumes of each partner."""
    counted = np.ones(len(partner), bool) if customer_volume_counts else ~customer
    personal_pv = np.zeros(size, np.int64)
    personal_cv = np.zeros(size, np.int64)
    np.add.at(personal_pv, partner[counted], pv[counted])
    np.add.at(personal_cv, partner[counted], cv[counted])
    return personal_pv, personal_cv


def group(forest, volume):
    """int64[N] group volume: the partner's own volume plus its whole downline's."""
    return subtree_sums(forest.parent, forest.levels, volume)


def active(present, status_active, pv, activity_min_pv):
    """bool[N]: may earn this period (present, status active, PV >= minimum)."""
    return present & status_active & (pv >= activity_min_pv)
