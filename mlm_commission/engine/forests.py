"""The three partner forests (sponsor, binary placement, matrix placement), memoised.

Each is a :class:`Forest`: ``parent`` int32[N] (-1 root), ``depth`` int32[N]
and a :class:`~.tree.LevelOrder`.  They depend only on the partner table, so
they are built once per table and shared by every period.
"""
from dataclasses import dataclass

import numpy as np

from . import tree


@dataclass(frozen=True)
class Forest:
    """A forest over partner positions with its depth levels (see module docstring)."""
    parent: np.ndarray
    depth: np.ndarray
    levels: tree.LevelOrder

    @classmethod
    def from_parent(cls, parent):
        depth = tree.depths(parent)
        return cls(parent, depth, tree.LevelOrder(depth))

    def path(self, start, end):
        """Node indices from ``start`` up to its ancestor-or-self ``end``."""
        return tree.path_up(self.parent, start, end)


def sponsor_forest(partners):
    """The enrolment (sponsor) forest of ``partners``."""
    return partners.cached('sponsor', lambda: Forest.from_parent(partners.sponsor))


def binary_forest(partners):
    """The binary placement forest of ``partners``."""
    return partners.cached('binary', lambda: Forest.from_parent(partners.binary_parent))


def binary_children(partners):
    """int32[N, 2]: the left and right child of every partner (-1 if empty)."""
    def build():
        children = np.full((len(partners), 2), -1, np.int32)
        placed = np.flatnonzero(partners.binary_parent >= 0)
        children[partners.binary_parent[placed], partners.binary_leg[placed]] = placed
        return children
    return partners.cached('binary_children', build)
