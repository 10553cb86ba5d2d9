"""Matching bonus: a share of the enrolment lineage's earnings.

``earnings`` is int64[N] cents: the period's net amounts of the matched
components per partner (clawbacks included, so a clawed-back earning is
matched negatively).  Each earner's earnings pay ``rates[i-1]`` (micro-units)
to:

* ``level``: the i-th sponsor above the earner;
* ``generation``: the i-th leader (paid-as >= ``generation_rank``) above the
  earner - a generation ends at the next leader.

Recipients must be active and at least ``min_rank``; otherwise the share is
lost (no compression).
"""
import numpy as np

from ..lines import COMPONENTS
from ..tree import lift
from .chunks import chunks, level_major


def earnings(size, batches, components):
    """int64[N]: net amount per beneficiary of the line ``batches`` in ``components``."""
    codes = [COMPONENTS.index(c) for c in components]
    totals = np.zeros(size, np.int64)
    for lines in batches:
        chosen = np.isin(lines.component, codes)
        np.add.at(totals, lines.beneficiary[chosen], lines.amount[chosen])
    return totals


def compute(ctx, plan, earned, version_index):
    """Line batches (list of Lines) of the matching component on ``earned`` (int64[N] cents)."""
    if plan.mode == 'level':
        step_up = ctx.sponsor.parent
    else:
        leader_ranks = np.arange(len(ctx.version.ranks)) >= plan.generation_rank
        step_up = ctx.nearest_ranked_above(leader_ranks, active_only=False)
    qualified = ctx.qualifies(plan.min_rank)
    earners = np.flatnonzero(earned).astype(np.int32)

    def walk(chunk):
        sources, recipients = earners[chunk], earners[chunk]
        for step, rate in enumerate(plan.rates, start=1):
            recipients = lift(step_up, recipients)
            found = recipients >= 0
            if not found.all():
                sources, recipients = sources[found], recipients[found]
            paid = qualified[recipients]
            yield ctx.earning_lines('matching', sources[paid], recipients[paid], earned, rate,
                                    version=version_index, paid_level=step)

    return level_major(walk(chunk) for chunk in chunks(len(earners)))
