"""Money, volume and rate representation: the one rounding rule of the engine.

Units
-----
* Money and volumes are integer **cents** (hundredths of the plan currency /
  volume unit) in ``int64`` arrays inside the engine.
* Rates are integer **micro-units** (``Decimal(rate) * 10**6``): ``"0.05"`` is
  ``50_000``.  A rate may have at most six decimal places.
* At the boundary (plans, scenarios, JSON output) money, volumes and rates are
  decimal strings; output money always has exactly two decimals (``"180.00"``).

Rounding (ADR 0010)
-------------------
:func:`round_half_up` is the only rounding in the engine: an exact integer
quotient rounded to the nearest cent, halves away from zero.  It is applied
once per commission line (``base * rate``) and once per clawback step.
:func:`allocate` is the only remainder rule: it splits a total in cents over
weights by the largest-remainder method, so the parts add up to the total.
"""
from decimal import Decimal, InvalidOperation

import numpy as np

CENTS = 100
RATE_SCALE = 1_000_000


def round_half_up(numerator, denominator):
    """Return ``numerator / denominator`` rounded half away from zero.

    Works on Python ints and on int64 numpy arrays (element-wise) without any
    floating point; ``denominator`` must be a positive integer.
    """
    if not isinstance(numerator, np.ndarray):
        magnitude = abs(numerator)
        quotient = magnitude // denominator
        remainder = magnitude - quotient * denominator
        rounded = quotient + (remainder >= denominator - remainder)
        return -int(rounded) if numerator < 0 else int(rounded)
    # remainder >= denominator - remainder  <=>  (magnitude + denominator // 2) // denominator
    # rounds up, for odd and even denominators; computed in place (one temporary)
    half = denominator // 2
    if not numerator.size or numerator.min() >= 0:
        rounded = numerator + half
        rounded //= denominator
        return rounded
    rounded = np.abs(numerator)
    rounded += half
    rounded //= denominator
    return np.where(numerator < 0, -rounded, rounded)


def apply_rate(base_cents, rate_micro):
    """Amount in cents of ``base_cents * rate``: the one per-line rounding."""
    return round_half_up(base_cents * rate_micro, RATE_SCALE)


def allocate(total_cents, weights, tie_order=None):
    """Split ``total_cents`` over ``weights`` (ints >= 0) by largest remainder.

    Each part is ``floor(total * w / sum(w))``; the cents left over go one
    each to the parts with the largest fractional remainder; among equal
    remainders the earlier position wins, or the earlier in ``tie_order``
    (a function returning the given positions in tie-break order).  Returns
    an int64 array summing to the total.  Exact for any magnitude (int64
    when ``total * max(w)`` fits, Python integers otherwise) and linear time.
    """
    weights = np.asarray(weights, dtype=np.int64)
    tie_order = tie_order or np.sort
    total = int(total_cents)
    weight_sum = int(weights.sum()) if len(weights) else 0
    if weight_sum == 0:
        return np.zeros(len(weights), dtype=np.int64)
    if abs(total) * int(weights.max()) < 2 ** 62:
        products = total * weights
        parts = products // weight_sum
        remainders = products - parts * weight_sum
    else:
        exact = [divmod(total * int(w), weight_sum) for w in weights.tolist()]
        parts = np.array([p for p, _ in exact], dtype=np.int64)
        remainders = np.array([r for _, r in exact], dtype=object)
    left_over = total - int(parts.sum())
    if left_over > 0:
        threshold = _kth_largest(remainders, left_over)
        above = remainders > threshold
        parts += above
        tied = tie_order(np.flatnonzero(remainders == threshold))
        parts[tied[:left_over - int(above.sum())]] += 1
    return parts


def _kth_largest(values, k):
    if values.dtype == object:
        return sorted(values.tolist(), reverse=True)[k - 1]
    return np.partition(values, len(values) - k)[len(values) - k]


def parse_decimal(value, places):
    """Parse a decimal string or int with at most ``places`` decimals.

    Returns the value scaled by ``10**places`` as an int, or raises
    ``ValueError`` with a reason suitable for an input error message.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f'expected a decimal string, got {value!r}')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f'not a decimal number: {value!r}') from None
    if not number.is_finite():
        raise ValueError(f'not a finite number: {value!r}')
    scaled = number.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f'{value!r} has more than {places} decimal places')
    return int(scaled)


def parse_cents(value):
    """Parse money/volume ``"12.34"`` into cents (int)."""
    return parse_decimal(value, 2)


def parse_rate(value):
    """Parse a rate ``"0.05"`` into micro-units (int)."""
    return parse_decimal(value, 6)


def format_cents(cents):
    """Format cents as a decimal string with two places: ``-1234 -> "-12.34"``."""
    cents = int(cents)
    sign = '-' if cents < 0 else ''
    whole, frac = divmod(abs(cents), CENTS)
    return f'{sign}{whole}.{frac:02d}'


def format_rate(rate_micro):
    """Format a micro-unit rate with at least two decimals: ``50000 -> "0.05"``."""
    text = format(Decimal(int(rate_micro)).scaleb(-6), 'f')
    whole, _, frac = text.partition('.')
    frac = frac.rstrip('0').ljust(2, '0')
    return f'{whole}.{frac}'
