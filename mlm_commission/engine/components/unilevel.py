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

from ..tree import lift, nearest_marked_above
from .chunks import chunks, level_major


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the unilevel component for the orders at ``selection``."""
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    base = ctx.order_volume(plan.volume, selection)
    # rate_code: 0 for partners that cannot earn, else paid-as rank + 1
    rate_code = np.where(ctx.active & (ctx.paid_as >= 0), ctx.paid_as + 1, 0)
    level_rates = np.vstack([np.zeros(plan.levels, np.int64), plan.rates])
    if plan.compression == 'dynamic':
        steps = [ctx.nearest_ranked_above(plan.rates[:, level] > 0)
                 for level in range(plan.levels)]
    else:
        parent = ctx.sponsor.parent
        steps = [nearest_marked_above(parent, ctx.present) if plan.compression == 'static'
                 else parent] * plan.levels
    rate_of = _rate_of(ctx, plan)

    def walk(rows):
        recipients = buyers[rows]
        for level, step_up in enumerate(steps, start=1):
            recipients = lift(step_up, recipients)
            found = recipients >= 0
            if not found.all():
                # a line that reached the top stays there: drop it for the next levels
                rows, recipients = rows[found], recipients[found]
            if not len(rows):
                return
            yield ctx.order_lines(
                'unilevel', plan.volume, orders[rows], recipients, base[rows],
                level_rates[rate_code[recipients], level - 1], version=version_index,
                paid_level=level, rate_of=rate_of)

    return level_major(walk(chunk) for chunk in chunks(len(orders)))


def _rate_of(ctx, plan):
    """Rate of kept lines (a zero rate pays nothing, so every payee is ranked)."""
    def rate(lines):
        return plan.rates[ctx.paid_as[lines.beneficiary], lines.paid_level - 1]
    return rate
