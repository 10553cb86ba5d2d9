"""Fast-start bonus: a rate per enrolment generation on a new partner's orders.

Orders dated at most ``days`` days after the buyer partner's join date pay
``rates[g-1]`` (micro-units) of their volume to the g-th sponsor above the
buyer.  No compression: a recipient that is not active or below ``min_rank``
loses its share, nothing passes up.
"""

from ..tree import lift
from .chunks import chunks, level_major


def compute(ctx, plan, selection, version_index):
    """Line batches (list of Lines) of the fast-start component for the orders at ``selection``."""
    orders = ctx.orders[selection]
    buyers = ctx.all_orders.partner[orders]
    young = ctx.all_orders.order_day[orders] - ctx.partners.join_day[buyers] <= plan.days
    base = ctx.order_volume(plan.volume, selection)
    qualified = ctx.qualifies(plan.min_rank)

    def walk(chunk):
        rows = chunk[young[chunk]]
        recipients = buyers[rows]
        for generation, rate in enumerate(plan.rates, start=1):
            recipients = lift(ctx.sponsor.parent, recipients)
            found = recipients >= 0
            if not found.all():
                rows, recipients = rows[found], recipients[found]
            paid = qualified[recipients]
            yield ctx.order_lines(
                'fast_start', plan.volume, orders[rows[paid]], recipients[paid],
                base[rows[paid]], rate, version=version_index, paid_level=generation,
                level=generation)

    return level_major(walk(chunk) for chunk in chunks(len(orders)))
