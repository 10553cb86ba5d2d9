# This file is part of the MLM suite. See LICENSE for details.
"""Pure algorithms over the effective-dated genealogy.

A tree is stored as the *current* parent of every node (with a
materialized path) plus an append-only event log.  Every event changes the
parent of one node from ``old`` to ``new`` with a ``valid_from`` date; the
join of a node is an event with ``old = None``.  The structure on a date
``D`` is the replay of every event with ``valid_from <= D`` in
``(valid_from, id)`` order.

Because the events of a node are chained (``old`` of an event is ``new`` of
the previous one), the parent of a node on ``D`` is the ``old`` value of its
first event after ``D`` or, when it has none, its current parent.  The
functions below only need the nodes moved after ``D`` and the current paths,
so their cost depends on the number of later changes, not on the size of the
history.  See docs/adr/0021-as-of-genealogy.md.
"""

__all__ = ['SEPARATOR', 'path_ids', 'upline_at', 'downline_at', 'replay']

SEPARATOR = '/'


def path_ids(path):
    "Return the ids of a materialized path 'root/.../node/' from the root"
    return [int(x) for x in path.split(SEPARATOR) if x]


def upline_at(node, date, path_of, moved_of):
    """Return the upline of node on date, nearest first.

    path_of(node_id) returns the current ids from the root to node_id.
    moved_of(ids, date) returns {id: parent on date} for the ids among ids
    that have events after date (parent is None when the node was a root
    or did not exist yet on date).
    """
    result = []
    current = node
    seen = set()
    while current is not None:
        if current in seen:
            raise ValueError('cycle at %s' % current)
        seen.add(current)
        chain = list(reversed(path_of(current)))
        moved = moved_of(chain, date)
        following = None
        for index, node_id in enumerate(chain):
            if node_id in moved:
                following = moved[node_id]
                break
            if index + 1 < len(chain):
                result.append(chain[index + 1])
                seen.add(chain[index + 1])
        else:
            break
        if following is None:
            break
        result.append(following)
        current = following
    return result


def downline_at(node, date, descendants_of, moved_after):
    """Return the set of ids below node on date.

    descendants_of(node_id) returns the current descendants of node_id as a
    list of (id, ancestor ids) pairs; moved_after(date) returns {id: parent
    on date} for every node with events after date.
    """
    moved = moved_after(date)
    result = set()
    roots = {node}
    queue = [node]
    while queue:
        root = queue.pop()
        cut = set()
        block = []
        for node_id, ancestors in descendants_of(root):
            block.append((node_id, ancestors))
            if node_id in moved:
                cut.add(node_id)
        for node_id, ancestors in block:
            if node_id in cut:
                continue
            # ancestors lists root .. parent; only those below root matter
            below = ancestors[ancestors.index(root) + 1:]
            if cut.isdisjoint(below):
                result.add(node_id)
        for node_id, parent in moved.items():
            if (node_id not in roots and parent is not None
                    and (parent in result or parent == node)):
                roots.add(node_id)
                result.add(node_id)
                queue.append(node_id)
    result.discard(node)
    return result


def replay(events, date):
    """Return {node: parent} on date by replaying events.

    events is an iterable of (id, node, valid_from, old, new); a node is
    present on date when it has at least one event on or before date.
    """
    parents = {}
    for _, node, _, _, new in sorted(
            (e for e in events if e[2] <= date),
            key=lambda e: (e[2], e[0])):
        parents[node] = new
    return parents
