"""Unilevel: a rate per sponsor level, by the paid-as rank of the recipient.

``rates`` is int64[R, L] micro-units; a partner of rank ``r`` qualifies for
level ``l`` (1-based) when it is active and ``rates[r, l-1] > 0``.  Levels are
counted upwards from the buyer partner's sponsor (level 1).

* ``none``: level ``l`` is the l-th ancestor; an unqualified partner's share
  is lost.
* ``static``: terminated (and not yet joined) partners are skipped when
  counting levels; an unqualified partner's share is lost.
* ``dynamic``: level ``l`` is paid to the nearest partner above the level
  ``l-1`` recipient that qualifies for level ``l``; everyone skipped passes
  the level up, so levels are counted over qualified partners only.
"""
import numpy as np

from ..lines import rate_lines
from ..tree import lift, nearest_marked_above


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the unilevel component for the orders at ``selection``."""
    parent = ctx.sponsor.parent
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    base = ctx.order_volume(plan.volume, selection)
    rank = np.maximum(ctx.paid_as, 0)
    ranked = ctx.active & (ctx.paid_as >= 0)
    if plan.compression == 'static':
        step_up = nearest_marked_above(parent, ctx.present)
    else:
        step_up = parent
    batches = []
    recipients = buyers
    for level in range(1, plan.levels + 1):
        if plan.compression == 'dynamic':
            recipients = lift(ctx.nearest_ranked_above(plan.rates[:, level - 1] > 0), recipients)
        else:
            recipients = lift(step_up, recipients)
        rows = np.flatnonzero(recipients >= 0)
        if not len(rows):
            break
        payees = recipients[rows]
        rate = np.where(ranked[payees], plan.rates[rank[payees], level - 1], 0)
        batches.append(rate_lines(
            'unilevel', plan.volume, payees, base[rows], rate, ranks=ctx.paid_as,
            version=version_index, source_partner=buyers[rows],
            source_order=orders[rows],
            level=ctx.sponsor.depth[buyers[rows]] - ctx.sponsor.depth[payees],
            paid_level=level))
    return batches
