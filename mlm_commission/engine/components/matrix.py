"""Forced matrix: breadth-first spillover placement and a rate per matrix level.

Placement (:func:`placement`): partners with a given ``matrix_parent`` keep
it; every other partner with a sponsor is placed, in order of join date
(then sponsor depth, then table position), under the first node with fewer
than ``width`` children found breadth-first (children left to right) in the
matrix below its sponsor.  The sponsor stays the sponsor.  This is a
sequential queue walk in plain Python over the partners to place (new
enrolments), not a vectorised kernel.

Commission (:func:`compute`): an order pays ``rates[l-1]`` (micro-units) of
its volume to the buyer's l-th matrix ancestor, l = 1..depth, if active.
"""
from collections import deque

import numpy as np

from ..forests import Forest, sponsor_forest
from ..tree import lift
from .chunks import chunks, level_major


def placement(partners, width):
    """The matrix forest (:class:`~..forests.Forest`) for ``width``, memoised per table."""
    return partners.cached(('matrix', width),
                           lambda: Forest.from_parent(_place(partners, width)))


def _place(partners, width):
    parent = partners.matrix_parent.copy()
    to_place = np.flatnonzero((parent < 0) & (partners.sponsor >= 0))
    if not len(to_place):
        return parent
    children = {}
    for node in np.flatnonzero(parent >= 0):
        children.setdefault(int(parent[node]), []).append(int(node))
    sponsor = sponsor_forest(partners)
    effective_join = _effective_join(partners.join_day, sponsor)
    order = np.lexsort((to_place, sponsor.depth[to_place], effective_join[to_place]))
    for node in to_place[order]:
        host = _first_free(children, int(partners.sponsor[node]), width)
        parent[node] = host
        children.setdefault(host, []).append(int(node))
    return parent


def _effective_join(join_day, sponsor):
    """Join day, but never before the sponsor's (top-down, one step per depth level)."""
    joined = join_day.astype(np.int64)
    for d in range(1, sponsor.levels.level_count):
        nodes = sponsor.levels.level(d)
        joined[nodes] = np.maximum(joined[nodes], joined[sponsor.parent[nodes]])
    return joined


def _first_free(children, top, width):
    queue = deque([top])
    while queue:
        node = queue.popleft()
        below = children.get(node, [])
        if len(below) < width:
            return node
        queue.extend(below)
    raise AssertionError('a finite matrix always has a free slot')


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the matrix component for the orders at ``selection``."""
    forest = placement(ctx.partners, plan.width)
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    base = ctx.order_volume(plan.volume, selection)

    def walk(rows):
        recipients = buyers[rows]
        for level, rate in enumerate(plan.rates, start=1):
            recipients = lift(forest.parent, recipients)
            found = recipients >= 0
            if not found.all():
                rows, recipients = rows[found], recipients[found]
            paid = ctx.active[recipients]
            yield ctx.order_lines(
                'matrix', plan.volume, orders[rows[paid]], recipients[paid], base[rows[paid]],
                rate, version=version_index, paid_level=level, level=level)

    return level_major(walk(chunk) for chunk in chunks(len(orders)))
