"""Compiled plan: every amount in cents, every rate in micro-units, every rank an index.

Ranks are indices into the version's ladder ``0..R-1`` (ascending); ``-1``
means "no rank".  Per-rank tables are arrays of length ``R``.  These objects
are immutable and built only by :mod:`.loader` after validation.
"""
from dataclasses import dataclass, field

import numpy as np

from ..dates import format_day

NO_RANK = -1
UNSET = -1


@dataclass(frozen=True)
class RankRule:
    """Requirements of one rank; ``UNSET`` (-1) marks an absent requirement."""
    name: str
    min_pv: int = 0
    min_gv: int = 0
    leg_count: int = 0
    leg_min_rank: int = UNSET
    leg_min_volume: int = UNSET
    max_leg_share: int = UNSET
    strongest_leg_cap: int = UNSET


@dataclass(frozen=True)
class Stairstep:
    """``rates``: int64[R] micro; ``generations``: int64[G] breakaway override rates."""
    volume: str
    variant: str
    rates: np.ndarray
    breakaway_rank: int = UNSET
    generations: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass(frozen=True)
class Unilevel:
    """``rates``: int64[R, L] micro, 0 where rank r is not paid on level l+1."""
    volume: str
    compression: str
    rates: np.ndarray

    @property
    def levels(self):
        return self.rates.shape[1]


@dataclass(frozen=True)
class Binary:
    """Leg thresholds and caps in cents; ``cycle_values``: int64[R] cents per cycle."""
    volume: str
    pairing: str
    left: int = 0
    right: int = 0
    weak: int = 0
    strong: int = 0
    rate: int = 0
    cycle_value: int = 0
    cycle_values: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    min_rank: int = NO_RANK
    flush_inactive: bool = False
    strong_leg_carry_cap: int = UNSET
    max_cycles: int = UNSET
    max_earnings: int = UNSET
    excess: str = 'flush'


@dataclass(frozen=True)
class Matrix:
    """Forced ``width`` x ``len(rates)`` matrix; ``rates``: int64[D] micro."""
    volume: str
    width: int
    rates: np.ndarray


@dataclass(frozen=True)
class FastStart:
    """``rates``: int64[G] micro per enrolment generation, paid ``days`` after joining."""
    volume: str
    days: int
    rates: np.ndarray
    min_rank: int = NO_RANK


@dataclass(frozen=True)
class Matching:
    """``rates``: int64[L] micro per level or generation of the enrolment lineage."""
    mode: str
    rates: np.ndarray
    components: tuple
    generation_rank: int = UNSET
    min_rank: int = NO_RANK


@dataclass(frozen=True)
class Pool:
    """``share`` micro of company volume; ``shares``: int64[R] weights by rank."""
    name: str
    share: int
    volume: str
    min_rank: int
    split: str
    shares: np.ndarray


@dataclass(frozen=True)
class RankAdvancement:
    """``bonuses``: int64[R] cents (0: no bonus for that rank)."""
    bonuses: np.ndarray
    hold_periods: int = 1


@dataclass(frozen=True)
class PayoutCap:
    """``share`` micro of company ``volume`` (pv/cv) is the most the period pays."""
    share: int
    volume: str


@dataclass(frozen=True)
class PlanVersion:
    """One version of a plan, valid from ``valid_from_day`` (day number)."""
    id: str
    index: int
    valid_from_day: int
    ranks: tuple
    career: str = 'highest'
    customer_volume_counts: bool = True
    activity_min_pv: int = 0
    stairstep: Stairstep = None
    unilevel: Unilevel = None
    binary: Binary = None
    matrix: Matrix = None
    fast_start: FastStart = None
    matching: Matching = None
    pools: tuple = ()
    rank_advancement: RankAdvancement = None
    payout_cap: PayoutCap = None

    @property
    def rank_names(self):
        return tuple(rule.name for rule in self.ranks)

    @property
    def valid_from(self):
        return format_day(self.valid_from_day)


@dataclass(frozen=True)
class PlanSet:
    """All versions of a plan, ascending by ``valid_from``; rank ladder shared."""
    name: str
    currency: str
    versions: tuple

    @property
    def rank_names(self):
        return self.versions[0].rank_names

    def version_index_at(self, days):
        """Index of the version valid on each day number (array or int); -1 before the first."""
        starts = np.array([v.valid_from_day for v in self.versions])
        return np.searchsorted(starts, days, side='right') - 1

    def version_at(self, day):
        """The :class:`PlanVersion` valid on ``day`` (a day number or ``datetime.date``)."""
        if not isinstance(day, (int, np.integer)):
            from ..dates import EPOCH
            day = (day - EPOCH).days
        index = int(self.version_index_at(day))
        return self.versions[index] if index >= 0 else None
