"""Total payout cap: a share of company volume, enforced pro rata.

If the period's commission lines (clawbacks excluded) add up to more than
``round_half_up(company_volume * share)``, the cap is split over those lines
by :func:`~..money.allocate` with each line's amount as its weight, equal
remainders going first to the earlier line in canonical line order;
``uncapped`` keeps the amount before the cap.

The split is computed batch by batch without concatenating the lines: a
line's floor part and remainder depend only on its amount, so they are
computed once per distinct amount (a few thousand values for millions of
lines) and the k-th largest remainder is found on those values weighted by
their counts - the same parts as :func:`~..money.allocate` on the
concatenated amounts, in linear time and without a copy of every line.
"""
import numpy as np

from ..lines import concat_column, gather
from ..money import allocate, apply_rate

_TABLE_LIMIT = 1 << 22


def limit_of(company_volume, plan):
    """The cap in cents: the plan's share of the company volume (cents)."""
    return apply_rate(max(int(company_volume), 0), plan.share)


def apply(batches, company_volume, plan):
    """Reduce the amounts of the line ``batches`` so the capped lines total at most the cap."""
    share_out(batches, limit_of(company_volume, plan))


def share_out(batches, limit):
    """Reduce the amounts of the line ``batches`` so the capped lines total at most ``limit``
    cents (nothing changes if they do not exceed it).

    Each batch keeps its old amounts as ``uncapped``; its ``amount`` becomes a column
    derived from them, computed when first read (ADR 0016).
    """
    eligible, total, largest = [], 0, 0
    for batch in batches:
        amount = batch.amount
        chosen = _eligible(batch, amount)
        eligible.append(chosen)
        if len(amount[chosen]):
            total += int(amount[chosen].sum())
            largest = max(largest, int(amount[chosen].max()))
    if total <= limit:
        return
    if limit * largest >= 2 ** 62:
        _apply_concatenated(batches, limit)
        return

    def weights():
        """The eligible amounts of each batch, read again batch by batch (no copy of all)."""
        return (batch.amount[chosen] for batch, chosen in zip(batches, eligible))

    values, counts = _distinct(weights())
    parts, remainders = np.divmod(limit * values, total)
    left_over = limit - int((parts * counts).sum())
    tied_values, need = np.zeros(0, np.int64), 0
    if left_over > 0:
        threshold, above = _kth_largest(remainders, counts, left_over)
        parts += remainders > threshold
        tied_values = values[remainders == threshold]
        need = left_over - above
    tied = _tied_positions(weights(), eligible, tied_values)
    winners = np.sort(tied[gather(batches, tied).canonical_order()[:need]] if need else tied[:0])
    part_of = _lookup(values, parts)
    start = 0
    for batch, chosen in zip(batches, eligible):
        winners_here = winners[np.searchsorted(winners, start):
                               np.searchsorted(winners, start + len(batch))] - start
        if batch.uncapped is None:
            batch.uncapped = batch.raw('amount')
        batch.derive('amount', _capped(part_of, isinstance(chosen, slice), winners_here),
                     positional=len(winners_here) > 0)
        start += len(batch)


def _capped(part_of, all_eligible, winners):
    """The derivation of the capped ``amount`` column from ``uncapped`` (ADR 0016): the
    part of each eligible line's amount, plus one cent for the tie ``winners``
    (positions in the batch)."""
    def amount(lines):
        uncapped = lines.uncapped
        if all_eligible:
            capped = part_of(uncapped)
        else:
            chosen = (lines.reverses_period < 0) & (uncapped > 0)
            capped = uncapped.copy()
            capped[chosen] = part_of(uncapped[chosen])
        capped[winners] += 1
        return capped
    return amount


def _eligible(batch, amount):
    """Selection of the batch's capped lines: commission lines with a positive amount."""
    commission = batch.constant('reverses_period')
    if commission is not None and commission < 0 and (not len(amount) or amount.min() > 0):
        return slice(None)
    return (batch.reverses_period < 0) & (amount > 0)


def _distinct(weights):
    """``(values, counts)``: the distinct positive weights (ascending) and how often each occurs."""
    counts = np.zeros(0, np.int64)
    large = []
    for w in weights:
        if not len(w):
            continue
        small = w if int(w.max()) < _TABLE_LIMIT else w[w < _TABLE_LIMIT]
        found = np.bincount(small)
        if len(found) > len(counts):
            counts = np.concatenate([counts, np.zeros(len(found) - len(counts), np.int64)])
        counts[:len(found)] += found
        if len(small) < len(w):
            large.append(w[w >= _TABLE_LIMIT])
    values = np.flatnonzero(counts)
    counts = counts[values]
    if large:
        big_values, big_counts = np.unique(np.concatenate(large), return_counts=True)
        values = np.concatenate([values, big_values])
        counts = np.concatenate([counts, big_counts])
    return values.astype(np.int64), counts.astype(np.int64)


def _lookup(values, results):
    """A function mapping weights (each one of ``values``) to their entry of ``results``:
    a direct table for small weights, a binary search for the others."""
    small = values < _TABLE_LIMIT
    table = np.zeros(int(values[small].max()) + 1 if small.any() else 0, np.int64)
    table[values[small]] = results[small]

    def look_up(weights):
        if not len(weights) or int(weights.max()) < len(table):
            return table[weights]
        found = results[np.searchsorted(values, weights)]
        inside = weights < len(table)
        found[inside] = table[weights[inside]]
        return found
    return look_up


def _kth_largest(remainders, counts, k):
    """``(threshold, above)``: the k-th largest remainder counting multiplicities, and how
    many lines have a larger one."""
    order = np.argsort(-remainders, kind='stable')
    reached = np.cumsum(counts[order])
    threshold = remainders[order[np.searchsorted(reached, k)]]
    return threshold, int(counts[remainders > threshold].sum())


def _tied_positions(weights, eligible, tied_values):
    """Ascending positions (in the batches' concatenation) of eligible lines whose weight is
    one of ``tied_values``."""
    found, start = [], 0
    for w, chosen in zip(weights, eligible):
        size = len(w) if isinstance(chosen, slice) else len(chosen)
        if len(tied_values) and len(w):
            hits = np.flatnonzero(np.isin(w, tied_values))
            if isinstance(chosen, np.ndarray):
                hits = np.flatnonzero(chosen)[hits]
            found.append(hits + start)
        start += size
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def _apply_concatenated(batches, limit):
    """The cap on one concatenated amount column (exact Python integers for huge amounts)."""
    amounts = concat_column(batches, 'amount')
    eligible = (concat_column(batches, 'reverses_period') < 0) & (amounts > 0)
    capped = slice(None) if eligible.all() else eligible

    def canonical(tied):
        return tied[gather(batches, np.flatnonzero(eligible)[tied]).canonical_order()]

    amounts[capped] = allocate(limit, amounts[capped], tie_order=canonical)
    start = 0
    for batch in batches:
        if batch.uncapped is None:
            batch.uncapped = batch.amount
        batch.amount = amounts[start:start + len(batch)]
        start += len(batch)
