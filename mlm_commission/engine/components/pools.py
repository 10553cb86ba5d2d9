"""Pools: a share of company volume split among qualifiers.

Each pool is ``round_half_up(company_volume * share)`` cents.  Qualifiers are
active partners with paid-as rank >= ``min_rank``; ``equal`` gives each a
weight of 1, ``shares`` the weight of its rank.  The pool is split by
:func:`~..money.allocate` (largest remainder, ties by partner position), so
the parts add up to the pool exactly.  A line's ``weight``/``weight_total``
record its share; ``base`` is the pool amount.
"""
import numpy as np

from ..lines import BASES, COMPONENTS, Lines
from ..money import allocate, apply_rate


def compute(ctx, pools, version_index):
    """Line batches (list of Lines) of every pool of the period's plan version."""
    batches = []
    for number, pool in enumerate(pools, start=1):
        volume = max(int(ctx.company_volume(pool.volume)), 0)
        total = apply_rate(volume, pool.share)
        members = np.flatnonzero(ctx.qualifies(pool.min_rank))
        weights = pool.shares[ctx.paid_as[members]]
        members, weights = members[weights > 0], weights[weights > 0]
        parts = allocate(total, weights)
        keep = parts != 0
        size = int(keep.sum())
        batches.append(Lines(
            beneficiary=members[keep], component=np.full(size, COMPONENTS.index('pool')),
            paid_level=np.full(size, number), basis=np.full(size, BASES.index('company_volume')),
            base=np.full(size, volume), rate=np.full(size, pool.share),
            amount=parts[keep], rank=ctx.paid_as[members[keep]],
            version=np.full(size, version_index), weight=weights[keep],
            weight_total=np.full(size, int(weights.sum()))))
    return batches

