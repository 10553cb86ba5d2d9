"""Fast-start bonus: a rate per enrolment generation on a new partner's orders.

Orders dated at most ``days`` days after the buyer partner's join date pay
``rates[g-1]`` (micro-units) of their volume to the g-th sponsor above the
buyer.  No compression: a recipient that is not active or below ``min_rank``
loses its share, nothing passes up.
"""
import numpy as np

from ..lines import rate_lines
from ..tree import lift


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the fast-start component for the orders at ``selection``."""
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    young = ctx.all_orders.order_day[orders] - ctx.partners.join_day[buyers] <= plan.days
    rows = np.flatnonzero(young)
    base = ctx.order_volume(plan.volume, selection)[rows]
    qualified = ctx.qualifies(plan.min_rank)
    recipients = buyers[rows]
    batches = []
    for generation, rate in enumerate(plan.rates, start=1):
        recipients = lift(ctx.sponsor.parent, recipients)
        paid = np.flatnonzero((recipients >= 0) & qualified[np.maximum(recipients, 0)])
        payees = recipients[paid]
        batches.append(rate_lines(
            'fast_start', plan.volume, payees, base[paid], rate, ranks=ctx.paid_as,
            version=version_index, source_partner=buyers[rows][paid],
            source_order=orders[rows][paid], level=generation, paid_level=generation))
    return batches
