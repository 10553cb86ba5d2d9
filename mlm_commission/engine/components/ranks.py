"""Rank qualification: qualified, paid-as and highest rank of every partner.

Inputs are int64[N] cents (``pv`` personal, ``gv`` group incl. own) and the
sponsor forest.  For rank ``r`` (ladder ascending) a partner qualifies when

* ``pv >= min_pv``;
* ``pv + sum over legs of min(leg_gv, cap) >= min_gv`` where ``cap`` is
  ``max_leg_share * min_gv`` for every leg and, for the strongest leg only,
  also ``strongest_leg_cap * min_gv`` (40/40/20-style rules);
* at least ``leg_count`` frontline legs qualify, a leg qualifying when its
  group volume reaches ``leg_min_volume`` or some partner in it has a paid-as
  rank of at least ``leg_min_rank``.

The qualified rank is the highest rank whose requirements all hold (-1 if
none; partners not eligible never qualify).  Paid-as is the manual override if
set, else the highest rank ever reached (``career: highest``) or the
qualified rank (``career: requalify``).  Highest = max(previous, qualified).

Leg rules by rank need the paid-as ranks of the downline first, so those are
evaluated bottom-up in one compiled loop (:mod:`.rank_kernel`, ADR 0012);
everything else is vectorised.
"""
from dataclasses import dataclass

import numpy as np

from ..money import apply_rate
from ..plan.model import NO_RANK, UNSET


@dataclass
class RankResult:
    """int16[N] ranks and the qualification figures (int64[N] cents, int32[N]).

    The figures are those of ``figures_rank``: the rank above the qualified
    one (what the partner is working towards), or the top rank.
    """
    qualified: np.ndarray
    paid_as: np.ndarray
    highest: np.ndarray
    figures_rank: np.ndarray
    qualifying_gv: np.ndarray
    qualified_legs: np.ndarray


def qualify(version, forest, pv, gv, eligible, override, previous_highest):
    """Compute :class:`RankResult` for every partner (see module docstring)."""
    size = len(pv)
    parent = forest.parent
    child = np.flatnonzero(parent >= 0)
    child_parent = parent[child]
    rules = version.ranks
    static_ok = np.zeros((len(rules), size), bool)
    qualifying_gv = np.zeros((len(rules), size), np.int64)
    volume_legs = np.zeros((len(rules), size), np.int32)
    strongest = np.zeros(size, np.int64)
    np.maximum.at(strongest, child_parent, gv[child])
    for r, rule in enumerate(rules):
        qualifying_gv[r] = _capped_group_volume(rule, pv, gv, child, child_parent, strongest)
        static_ok[r] = eligible & (pv >= rule.min_pv) & (qualifying_gv[r] >= rule.min_gv)
        if rule.leg_min_volume != UNSET:
            strong_legs = child_parent[gv[child] >= rule.leg_min_volume]
            volume_legs[r] = np.bincount(strong_legs, minlength=size)
    career_floor = previous_highest if version.career == 'highest' \
        else np.full(size, NO_RANK, np.int16)
    if any(rule.leg_min_rank != UNSET for rule in rules):
        qualified, legs = _qualify_bottom_up(rules, forest, gv, static_ok, volume_legs,
                                             override, career_floor)
    else:
        legs = volume_legs
        qualified = _highest_true(static_ok & (legs >= _leg_counts(rules)[:, None]))
    paid_as = _paid_as(qualified, override, career_floor)
    pick = np.minimum(qualified + 1, len(rules) - 1).astype(np.int16)
    columns = np.arange(size)
    return RankResult(
        qualified=qualified, paid_as=paid_as,
        highest=np.maximum(previous_highest, qualified).astype(np.int16), figures_rank=pick,
        qualifying_gv=qualifying_gv[pick, columns],
        qualified_legs=legs[pick, columns].astype(np.int32))


def _capped_group_volume(rule, pv, gv, child, child_parent, strongest):
    """int64[N]: own PV plus leg volumes capped by the rank's leg-share rules."""
    if rule.max_leg_share == UNSET and rule.strongest_leg_cap == UNSET:
        return gv
    big = np.iinfo(np.int64).max
    leg_cap = big if rule.max_leg_share == UNSET else apply_rate(rule.min_gv, rule.max_leg_share)
    top_cap = leg_cap if rule.strongest_leg_cap == UNSET else min(
        leg_cap, apply_rate(rule.min_gv, rule.strongest_leg_cap))
    capped = pv.copy()
    np.add.at(capped, child_parent, np.minimum(gv[child], leg_cap))
    return capped - np.minimum(strongest, leg_cap) + np.minimum(strongest, top_cap)


def _leg_counts(rules):
    return np.array([rule.leg_count for rule in rules], np.int32)


def _highest_true(matrix):
    """int16[N]: highest row index r with ``matrix[r, n]`` true, -1 if none."""
    rows = np.arange(matrix.shape[0])[:, None]
    return np.where(matrix, rows, NO_RANK).max(axis=0, initial=NO_RANK).astype(np.int16)


def _paid_as(qualified, override, career_floor):
    return np.where(override >= 0, override, np.maximum(qualified, career_floor)).astype(np.int16)


def _qualify_bottom_up(rules, forest, gv, static_ok, volume_legs, override, career_floor):
    """Leg rules by rank need the downline's paid-as first: one compiled pass, deepest first."""
    from ..tree import native
    from .rank_kernel import qualify_bottom_up
    legs = volume_legs.copy()
    by_rank = np.array([rule.leg_min_rank for rule in rules], np.int16)
    legs[by_rank >= 0] = 0
    qualified = qualify_bottom_up(
        forest.levels.order, forest.parent, gv, static_ok, legs, _leg_counts(rules), by_rank,
        np.array([rule.leg_min_volume for rule in rules], np.int64), override, career_floor)
    return native(qualified), legs
