"""Rank-advancement bonus: paid once per rank, optionally after holding it.

State arrays are R x N: ``streak`` (int32) counts consecutive periods in
which the partner qualified at or above each rank; ``paid`` (bool) marks
ranks whose bonus was paid (or that were reached before the engine's
history: ranks up to the partner's previous highest rank).  A bonus for rank
``r`` (``bonuses[r]`` cents) is paid when ``streak[r] >= hold_periods``, it
was not paid before and the partner is active.
"""
import numpy as np

from ..lines import rate_lines
from ..money import RATE_SCALE


def initial_state(rank_count, previous_highest):
    """``(streak, paid)`` before the first period."""
    ranks = np.arange(rank_count)[:, None]
    streak = np.zeros((rank_count, len(previous_highest)), np.int32)
    return streak, ranks <= previous_highest[None, :]


def advance(streak, qualified):
    """Streak after a period in which partners qualified at ``qualified`` (int16[N])."""
    ranks = np.arange(streak.shape[0])[:, None]
    return np.where(ranks <= qualified[None, :], streak + 1, 0).astype(np.int32)


def compute(ctx, plan, streak, paid, version_index):
    """Return ``(lines, paid_after)`` for the bonuses due this period."""
    due = (streak >= plan.hold_periods) & ~paid & ctx.active[None, :] \
        & (plan.bonuses[:, None] > 0)
    ranks, partners = np.nonzero(due)
    order = np.lexsort((ranks, partners))
    ranks, partners = ranks[order], partners[order]
    lines = rate_lines('rank_advancement', 'bonus', partners, plan.bonuses[ranks], RATE_SCALE,
                       ranks=ctx.paid_as, version=version_index, level=0,
                       paid_level=ranks + 1)
    lines.rank[:] = ranks
    return lines, paid | due
