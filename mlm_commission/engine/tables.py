"""Column tables of the engine's inputs.

All partner columns are arrays of length ``N`` indexed by partner position
``0..N-1``; all order columns arrays of length ``M``.  References between
tables are positions (``-1`` for none).  Money and volumes are int64 cents,
dates int32 day numbers (see :mod:`.dates`).  Tables are built by
:mod:`.scenario` after validation, or directly by the ERP layer.
"""
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

ACTIVE, INACTIVE, TERMINATED = 0, 1, 2
STATUSES = ('active', 'inactive', 'terminated')
LEFT, RIGHT = 0, 1
LEGS = ('left', 'right')


@dataclass
class Partners:
    """Partner columns.

    ids: sequence of str (N); sponsor, binary_parent, matrix_parent: int32[N];
    binary_leg: int8[N] (LEFT/RIGHT, -1 unplaced); status: int8[N]
    (ACTIVE/INACTIVE/TERMINATED); join_day: int32[N]; rank_override,
    previous_highest: int16[N] rank indices (-1 none).
    """
    ids: Sequence[str]
    sponsor: np.ndarray
    binary_parent: np.ndarray
    binary_leg: np.ndarray
    matrix_parent: np.ndarray
    status: np.ndarray
    join_day: np.ndarray
    rank_override: np.ndarray
    previous_highest: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __len__(self):
        return len(self.ids)

    def cached(self, key, build):
        """Memoised derived data (forests, matrix placement) keyed by ``key``."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


@dataclass
class Orders:
    """Order columns (all periods of a scenario).

    ids: sequence of str (M); period: int32[M] period position; partner: int32[M];
    customer: bool[M] (bought by the partner's customer); order_day,
    paid_day: int32[M] (paid_day -1: unpaid, not commissionable);
    pv, cv, amount: int64[M] cents.
    """
    ids: Sequence[str]
    period: np.ndarray
    partner: np.ndarray
    customer: np.ndarray
    order_day: np.ndarray
    paid_day: np.ndarray
    pv: np.ndarray
    cv: np.ndarray
    amount: np.ndarray

    def __len__(self):
        return len(self.ids)


@dataclass
class Returns:
    """Cancellations and partial returns.

    period: int32[K] period position of the return; order: int32[K] order
    position; day: int32[K]; pv, cv, amount: int64[K] cents returned.
    """
    period: np.ndarray
    order: np.ndarray
    day: np.ndarray
    pv: np.ndarray
    cv: np.ndarray
    amount: np.ndarray

    def __len__(self):
        return len(self.order)

    @classmethod
    def empty(cls):
        i32, i64 = np.zeros(0, np.int32), np.zeros(0, np.int64)
        return cls(i32, i32, i32, i64, i64, i64)


@dataclass(frozen=True)
class Period:
    """One commission period: ``start_day``..``end_day`` inclusive, ``index`` its position."""
    id: str
    index: int
    start_day: int
    end_day: int
