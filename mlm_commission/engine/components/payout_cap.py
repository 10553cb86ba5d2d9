"""Total payout cap: a share of company volume, enforced pro rata.

If the period's commission lines (clawbacks excluded) add up to more than
``round_half_up(company_volume * share)``, the cap is split over those lines
by :func:`~..money.allocate` with each line's amount as its weight, equal
remainders going first to the earlier line in canonical line order;
``uncapped`` keeps the amount before the cap.
"""
import numpy as np

from ..lines import concat_column, gather
from ..money import allocate, apply_rate


def apply(batches, company_volume, plan):
    """Reduce the amounts of the line ``batches`` so the capped lines total at most the cap.

    Works across batches without concatenating them (one amount column is
    gathered); each changed batch keeps its old amounts as ``uncapped``.
    """
    limit = apply_rate(max(int(company_volume), 0), plan.share)
    amounts = concat_column(batches, 'amount')
    eligible = (concat_column(batches, 'reverses_period') < 0) & (amounts > 0)
    capped = slice(None) if eligible.all() else eligible
    if int(amounts[capped].sum()) <= limit:
        return

    def canonical(tied):
        return tied[gather(batches, np.flatnonzero(eligible)[tied]).canonical_order()]

    amounts[capped] = allocate(limit, amounts[capped], tie_order=canonical)
    start = 0
    for batch in batches:
        if batch.uncapped is None:
            batch.uncapped = batch.amount
        batch.amount = amounts[start:start + len(batch)]
        start += len(batch)
