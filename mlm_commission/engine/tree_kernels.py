"""Compiled (numba) single-pass versions of the forest walks in :mod:`.tree` (ADR 0017).

Each kernel returns exactly what its numpy counterpart returns; :mod:`.tree`
uses them for forests of at least ``tree.COMPILED_MIN_NODES`` nodes, where a
sequential ``O(N)`` loop beats ``O(N log D)`` pointer jumping and one numpy
call per depth level (a 10,000-deep chain costs 10,000 rounds of calls).
Walks go up from every node and remember what they found, so no level order
is needed; a cycle is reported (``ok`` False) instead of looping, and the
caller falls back to the numpy version, which names the nodes on it.
"""
import numba
import numpy as np

_UNKNOWN, _ON_PATH = -2, -3


@numba.njit(cache=True)
def depths(parent):
    """``(depth int32[N], ok)``; ``ok`` is False if ``parent`` has a cycle."""
    size = parent.shape[0]
    depth = np.full(size, _UNKNOWN, np.int32)
    path = np.empty(size, np.int32)
    for start in range(size):
        top = 0
        node = start
        while node >= 0 and depth[node] == _UNKNOWN:
            depth[node] = _ON_PATH
            path[top] = node
            top += 1
            node = parent[node]
        if node >= 0 and depth[node] == _ON_PATH:
            return depth, False
        reached = -1 if node < 0 else depth[node]
        while top > 0:
            top -= 1
            reached += 1
            depth[path[top]] = reached
    return depth, True


@numba.njit(cache=True)
def subtree_sums(order, parent, values):
    """int64[N]: ``values`` summed over each subtree; ``order`` lists nodes by ascending depth."""
    totals = values.astype(np.int64)
    for position in range(order.shape[0] - 1, -1, -1):
        node = order[position]
        above = parent[node]
        if above >= 0:
            totals[above] += totals[node]
    return totals


@numba.njit(cache=True)
def nearest_marked(parent, marked):
    """``(nearest int32[N], ok)``: nearest marked node on each root path (node included)."""
    size = parent.shape[0]
    nearest = np.full(size, _UNKNOWN, np.int32)
    path = np.empty(size, np.int32)
    for start in range(size):
        top = 0
        node = start
        while node >= 0 and nearest[node] == _UNKNOWN and not marked[node]:
            nearest[node] = _ON_PATH
            path[top] = node
            top += 1
            node = parent[node]
        if node < 0:
            found = -1
        elif marked[node]:
            found = node
            nearest[node] = node
        elif nearest[node] == _ON_PATH:
            return nearest, False
        else:
            found = nearest[node]
        while top > 0:
            top -= 1
            nearest[path[top]] = found
    return nearest, True


@numba.njit(cache=True)
def level_order(depth, starts):
    """int64[N]: nodes by ascending depth, by node index within a depth (a stable
    counting sort; ``starts`` as in :class:`~.tree.LevelOrder`)."""
    order = np.empty(depth.shape[0], np.int64)
    filled = starts[:-1].copy()
    for node in range(depth.shape[0]):
        level = depth[node]
        order[filled[level]] = node
        filled[level] += 1
    return order
