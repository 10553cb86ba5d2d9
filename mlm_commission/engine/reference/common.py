"""Shared helpers of the reference: tree walks, Decimal money, line tuples."""
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal('0.01')


def amount_cents(base_cents, rate_micro):
    """Round ``base * rate`` to the cent, halves away from zero, with Decimal."""
    value = Decimal(base_cents) / 100 * Decimal(rate_micro) / 1_000_000
    return int(value.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def ancestors(parent, node):
    """The list of ancestors of ``node``, nearest first."""
    result = []
    node = parent[node]
    while node != -1:
        result.append(node)
        node = parent[node]
    return result


def depth_of(parent, node):
    return len(ancestors(parent, node))


def line(beneficiary, component, base, rate, amount, rank, version, *, source_partner=-1,
         source_order=-1, level=0, paid_level=0, basis='cv', reverses_period=-1,
         weight=0, weight_total=0):
    """A line as a dict with the engine's column names (``uncapped`` = ``amount``)."""
    return dict(beneficiary=beneficiary, component=component, source_partner=source_partner,
                source_order=source_order, level=level, paid_level=paid_level, basis=basis,
                base=base, rate=rate, amount=amount, uncapped=amount, rank=rank,
                version=version, reverses_period=reverses_period, weight=weight,
                weight_total=weight_total)


def largest_remainder(total, weights):
    """Split ``total`` over ``weights``: floors, then +1 by largest remainder, ties by position.

    Shares are exact fractions (a Decimal quotient would round at 28 digits
    and could break ties that are exact).
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    exact = [Fraction(total * w, weight_sum) for w in weights]
    parts = [math.floor(x) for x in exact]
    remainders = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in remainders[:total - sum(parts)]:
        parts[i] += 1
    return parts
