"""Vectorised operations on forests given as parent-index arrays.

A forest over ``N`` nodes is an ``int32[N]`` array ``parent`` holding the
index of each node's parent, ``-1`` for a root.  No function here recurses:
deep chains (10,000+ levels) are handled by pointer jumping (``O(N log D)``)
or by a loop over depth levels with one numpy call per level; from
``COMPILED_MIN_NODES`` nodes on, depths, level order, subtree sums and
nearest-marked searches run as one compiled ``O(N)`` pass instead
(:mod:`.tree_kernels`, ADR 0017), with identical results.
"""
import numpy as np

NO_NODE = -1
# From this many nodes on, depths, subtree sums and nearest-marked searches run as one
# compiled pass (:mod:`.tree_kernels`, ADR 0017); smaller forests stay in numpy, so
# simulator runs on small scenarios do not import numba.
COMPILED_MIN_NODES = 20_000


def _compiled(size):
    """The compiled kernels module for a forest of ``size`` nodes, or None."""
    if size < COMPILED_MIN_NODES:
        return None
    from . import tree_kernels
    return tree_kernels


def native(array):
    """``array`` viewed with numpy's own dtype instance.

    Arrays returned by numba carry an equal but distinct dtype object, which
    sends numpy's ``ufunc.at`` down its slow casting path (10-15x slower,
    measured); a view with the canonical dtype costs nothing.
    """
    return array.view(np.dtype(array.dtype.type))


class CycleError(ValueError):
    """The parent array contains a cycle; ``nodes`` are the nodes on or above it."""

    def __init__(self, nodes):
        self.nodes = nodes
        super().__init__(f'cycle through {len(nodes)} node(s)')


def depths(parent):
    """Return ``int32[N]`` depth of every node (roots have depth 0).

    Uses list ranking by pointer jumping; raises :class:`CycleError` listing
    the nodes that never reach a root.
    """
    size = len(parent)
    kernels = _compiled(size)
    if kernels is not None:
        depth, ok = kernels.depths(parent)
        if ok:
            return native(depth)
    jump = np.append(parent.astype(np.int64), NO_NODE)
    jump[jump == NO_NODE] = size
    depth = np.append((parent != NO_NODE).astype(np.int64), 0)
    max_rounds = int(np.ceil(np.log2(size + 1))) + 2
    pending = np.flatnonzero(jump[:size] != size)
    for _ in range(max_rounds):
        if pending.size == 0:
            return depth[:size].astype(np.int32)
        targets = jump[pending]
        depth[pending] += depth[targets]
        jump[pending] = jump[targets]
        pending = pending[jump[pending] != size]
    raise CycleError(pending.tolist())


class LevelOrder:
    """Nodes grouped by depth: ``order[starts[d]:starts[d + 1]]`` is level ``d``.

    ``order`` is ``int64[N]`` (stable by node index within a level), ``starts``
    is ``int64[D + 2]``.
    """

    def __init__(self, depth):
        counts = np.bincount(depth, minlength=1) if len(depth) else np.zeros(1, int)
        self.starts = np.concatenate(([0], np.cumsum(counts)))
        kernels = _compiled(len(depth))
        if kernels is not None:
            self.order = native(kernels.level_order(depth, self.starts))
        else:
            self.order = np.argsort(depth, kind='stable')

    @property
    def level_count(self):
        return len(self.starts) - 1

    def level(self, d):
        return self.order[self.starts[d]:self.starts[d + 1]]


def subtree_sums(parent, levels, values):
    """Sum ``values`` (``int64[N]``) over each node's subtree, node included."""
    kernels = _compiled(len(parent))
    if kernels is not None:
        return native(kernels.subtree_sums(levels.order, parent, values))
    totals = values.astype(np.int64, copy=True)
    for d in range(levels.level_count - 1, 0, -1):
        nodes = levels.level(d)
        np.add.at(totals, parent[nodes], totals[nodes])
    return totals


def nearest_marked(parent, marked):
    """Nearest node on the path from each node to its root (node included) that is ``marked``.

    ``marked`` is ``bool[N]``; returns ``int32[N]`` node indices, ``-1`` where
    no node on the path is marked.  Pointer jumping over the shrinking set of
    unresolved nodes: ``O(N log D)``.
    """
    size = len(parent)
    kernels = _compiled(size)
    if kernels is not None:
        nearest, ok = kernels.nearest_marked(parent, marked)
        if ok:
            return native(nearest)
    target = np.where(marked, np.arange(size), parent).astype(np.int64)
    target[target == NO_NODE] = size
    target = np.append(target, size)
    resolved = np.append(marked, True)
    pending = np.flatnonzero(~resolved[target[:size]])
    while pending.size:
        target[pending] = target[target[pending]]
        pending = pending[~resolved[target[pending]]]
    result = target[:size]
    result[result == size] = NO_NODE
    return result.astype(np.int32)


def nearest_marked_above(parent, marked):
    """Like :func:`nearest_marked` but strictly above each node (node excluded)."""
    inclusive = nearest_marked(parent, marked)
    return lift(inclusive, parent)


def lift(table, nodes):
    """Look ``table`` up at ``nodes``, passing ``-1`` through: ``table[nodes]`` or -1."""
    nodes = np.asarray(nodes)
    if not nodes.size or nodes.min() >= 0:
        return table[nodes].astype(np.int32, copy=False)
    # a -1 reads the last entry harmlessly; np.where then puts -1 back
    return np.where(nodes >= 0, table[nodes], NO_NODE).astype(np.int32, copy=False)


def path_up(parent, start, end):
    """Node indices from ``start`` up to ``end`` inclusive (``end`` an ancestor-or-self)."""
    path = [int(start)]
    while path[-1] != end:
        path.append(int(parent[path[-1]]))
    return path
