"""Compiled bottom-up rank pass (numba), used when leg rules depend on downline ranks.

Why compiled (ADR 0012): the pass is inherently sequential over depth; in
numpy it needs one step per depth level, so a 10,000-deep chain costs
10,000 rounds of numpy calls.  One compiled loop over the nodes is ~15x
faster at 1M partners (measured in docs/benchmarks.md).
"""
import numba
import numpy as np


@numba.njit(cache=True)
def qualify_bottom_up(order, parent, gv, static_ok, legs, counts, min_rank, min_volume,
                      override, career_floor):
    """Qualified rank (int16[N]) of every node; ``legs`` (int32[R, N]) is updated in place.

    ``order``: int64[N] nodes by ascending depth (walked backwards, so every
    child is done before its parent); ``static_ok``: bool[R, N] requirements
    other than legs by rank; ``legs``: leg counts by volume already filled
    for rules without ``min_rank``; ``counts``, ``min_rank``, ``min_volume``:
    per-rank leg rule (-1: none); ``override``, ``career_floor``: int16[N].
    """
    rank_count = static_ok.shape[0]
    best_below = np.full(parent.shape[0], -1, np.int16)
    qualified = np.full(parent.shape[0], -1, np.int16)
    for position in range(order.shape[0] - 1, -1, -1):
        node = order[position]
        rank = -1
        for r in range(rank_count):
            if static_ok[r, node] and legs[r, node] >= counts[r]:
                rank = r
        qualified[node] = rank
        paid = override[node] if override[node] >= 0 else max(rank, career_floor[node])
        best = max(best_below[node], paid)
        above = parent[node]
        if above >= 0:
            for r in range(rank_count):
                if min_rank[r] >= 0 and (best >= min_rank[r] or (
                        min_volume[r] >= 0 and gv[node] >= min_volume[r])):
                    legs[r, above] += 1
            best_below[above] = max(best_below[above], best)
    return qualified
