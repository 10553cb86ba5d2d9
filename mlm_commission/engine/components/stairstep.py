"""Stair-step differential, tier-slot variant and breakaway generation overrides.

For every order (positions ``selection`` into the period's orders, base
volume int64 cents) the line of payers runs from the buyer partner (level 0,
its own volume) up the sponsor forest.

* ``differential``: a partner earns its rank's rate minus the highest rate
  already paid below it on that line; equal or higher rates below block it.
  Payers are found by pointer jumping: ``payer_k`` is the nearest active
  partner (buyer included) whose rate is at least the k-th distinct rate.
* ``tier_slot``: each rank's increment ``rate[r] - rate[r-1]`` is paid once,
  to the first active partner at or above rank ``r`` (one line per slot).
* ``breakaway``: the first partner at or above the breakaway rank on the line
  (the buyer included) closes generation 0; the next such leader above it
  earns generation 1's rate, and so on.  A leader that is not active earns
  nothing for its generation (no compression) but still ends it.

Rates are micro-units per rank (int64[R]); unranked partners earn nothing.
"""
import numpy as np

from ..tree import lift
from .chunks import chunks, level_major


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the stair-step component for the orders at ``selection``."""
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    base = ctx.order_volume(plan.volume, selection)

    def lines(component, walk):
        def walk_lines(chunk):
            for rows, payers, rates, paid_level in walk(chunk):
                yield ctx.order_lines(component, plan.volume, orders[rows], payers, base[rows],
                                      rates, version=version_index, paid_level=paid_level)
        return level_major(walk_lines(chunk) for chunk in chunks(len(orders)))

    if plan.variant == 'differential':
        batches = lines('stairstep', _differential(ctx, plan.rates, buyers))
    else:
        batches = lines('stairstep', _tier_slots(ctx, plan.rates, buyers))
    if plan.breakaway_rank >= 0 and len(plan.generations):
        batches += lines('breakaway', _breakaway(ctx, plan, buyers))
    return batches


def _differential(ctx, rates, buyers):
    """A walk yielding ``(rows, payers, rate_differences, paid_level)`` per payer step.

    ``nearest[k]`` is the nearest active partner at or above a node whose
    rate reaches the k-th distinct rate.  The first payer of an order is the
    nearest one with any rate (the buyer included); the payer after ``p`` is
    ``next_payer[p]``, the nearest partner above ``p`` paying more than ``p``.
    """
    node_rate = np.where(ctx.active & (ctx.paid_as >= 0), rates[np.maximum(ctx.paid_as, 0)], 0)
    thresholds = np.unique(node_rate[node_rate > 0])
    if not len(thresholds):
        return _no_lines
    nearest = np.stack([ctx.nearest_ranked(rates >= t) for t in thresholds])
    next_payer = _next_payer(ctx.sponsor.parent, nearest, np.searchsorted(
        thresholds, node_rate, side='right'))
    first_payer = nearest[0]

    def walk(rows):
        payers = first_payer[buyers[rows]]
        found = payers >= 0
        rows, payers, paid_rate = rows[found], payers[found], 0
        for step in range(1, len(thresholds) + 1):
            if not len(rows):
                return
            yield rows, payers, node_rate[payers] - paid_rate, step
            above = next_payer[payers]
            found = above >= 0
            rows, paid_rate, payers = rows[found], node_rate[payers[found]], above[found]
    return walk


def _no_lines(rows):
    yield from ()


def _next_payer(parent, nearest, next_level):
    """int32[N]: for every node, the nearest partner above it whose rate reaches the
    ``next_level``-th distinct rate (-1 at the top rate or a root)."""
    above = np.flatnonzero((next_level < len(nearest)) & (parent >= 0))
    next_payer = np.full(len(parent), -1, np.int32)
    next_payer[above] = nearest[next_level[above], parent[above]]
    return next_payer


def _tier_slots(ctx, rates, buyers):
    """A walk yielding one ``(rows, payers, increment, slot)`` per rank with a positive
    increment."""
    increments = np.diff(rates, prepend=0)
    ranks = np.arange(len(rates))
    slots = [(rank, ctx.nearest_ranked(ranks >= rank)) for rank in np.flatnonzero(increments > 0)]

    def walk(rows):
        for rank, nearest in slots:
            payers = lift(nearest, buyers[rows])
            found = np.flatnonzero(payers >= 0)
            yield rows[found], payers[found], increments[rank], rank + 1
    return walk


def _breakaway(ctx, plan, buyers):
    """A walk yielding ``(rows, leaders, generation_rate, generation)`` for each generation."""
    leader_ranks = np.arange(len(plan.rates)) >= plan.breakaway_rank
    leader_above = ctx.nearest_ranked_above(leader_ranks, active_only=False)
    first_leader = ctx.nearest_ranked(leader_ranks, active_only=False)

    def walk(rows):
        leaders = lift(first_leader, buyers[rows])
        for generation, rate in enumerate(plan.generations, start=1):
            leaders = lift(leader_above, leaders)
            found = leaders >= 0
            rows, leaders = rows[found], leaders[found]
            paid = ctx.active[leaders]
            yield rows[paid], leaders[paid], rate, generation
    return walk
