"""Commission lines as columns, their canonical order and concatenation.

A :class:`Lines` batch of ``K`` lines holds one array of length ``K`` per
column (see ``COLUMNS``).  Indices refer to the partner/order tables; ``-1``
means "none".  ``base`` is in cents (cycles are counted in hundredths so that
``amount = round_half_up(base * rate / 10**6)`` holds for every line), ``rate``
in micro-units, ``amount`` and ``uncapped`` (amount before the payout cap) in
cents.
"""
import numpy as np

from .money import apply_rate

COMPONENTS = ('stairstep', 'breakaway', 'unilevel', 'binary', 'matrix', 'fast_start',
              'matching', 'pool', 'rank_advancement')
BASES = ('pv', 'cv', 'cycles', 'volume', 'earnings', 'company_volume', 'bonus')
MATRIX_COMPONENT = COMPONENTS.index('matrix')

COLUMNS = {
    'beneficiary': np.int32, 'component': np.int8, 'source_partner': np.int32,
    'source_order': np.int32, 'level': np.int32, 'paid_level': np.int32,
    'basis': np.int8, 'base': np.int64, 'rate': np.int64, 'amount': np.int64,
    'uncapped': np.int64, 'rank': np.int16, 'version': np.int16,
    'reverses_period': np.int16, 'weight': np.int64, 'weight_total': np.int64,
}
OPTIONAL = ('uncapped', 'weight', 'weight_total')
SORT_KEY = ('beneficiary', 'component', 'source_order', 'reverses_period', 'level',
            'paid_level', 'source_partner')


class Lines:
    """A columnar batch of commission lines; attributes named as in ``COLUMNS``.

    Columns not given take their default (-1 for references, 0 otherwise); a
    scalar is repeated for every line.  The ``OPTIONAL`` columns stay
    ``None`` until some line needs them (saves memory on large runs); read
    them through :meth:`column` (``uncapped`` then equals ``amount``).
    """

    def __init__(self, **columns):
        size = len(columns['beneficiary'])
        for name, dtype in COLUMNS.items():
            value = columns.get(name)
            if value is None and name in OPTIONAL:
                setattr(self, name, None)
                continue
            if value is None:
                value = -1 if name in _MINUS_ONE_DEFAULT else 0
            if np.ndim(value) == 0:
                value = np.full(size, value, dtype)
            setattr(self, name, np.asarray(value, dtype=dtype))

    def __len__(self):
        return len(self.beneficiary)

    @classmethod
    def empty(cls):
        return cls(beneficiary=np.zeros(0, np.int32))

    def column(self, name):
        """The column ``name`` as an array, optional columns filled in."""
        value = getattr(self, name)
        if value is not None:
            return value
        if name == 'uncapped':
            return self.amount
        return np.zeros(len(self), COLUMNS[name])

    def take(self, index):
        """Lines at ``index`` (bool mask or positions), as a new batch."""
        return Lines(**{name: None if getattr(self, name) is None else getattr(self, name)[index]
                        for name in COLUMNS})

    def canonical_order(self):
        """Positions that put the lines in canonical order (``SORT_KEY``, left-most first)."""
        return np.lexsort([getattr(self, name) for name in reversed(SORT_KEY)])

    def sorted(self):
        """The lines in canonical order, as a new batch."""
        return self.take(self.canonical_order()) if len(self) else self

    @classmethod
    def concat(cls, batches):
        """One batch holding all lines of ``batches`` in order."""
        batches = [b for b in batches if len(b)]
        if len(batches) == 1:
            return batches[0]
        if not batches:
            return cls.empty()
        return cls(**{
            name: None if all(getattr(b, name) is None for b in batches)
            else np.concatenate([b.column(name) for b in batches])
            for name in COLUMNS})


def concat_column(batches, name):
    """One column of several batches, concatenated (optional columns filled in)."""
    if not batches:
        return np.zeros(0, COLUMNS[name])
    return np.concatenate([b.column(name) for b in batches])


def gather(batches, positions):
    """Lines at ascending ``positions`` of the batches' concatenation, in that order."""
    ends = np.cumsum([len(b) for b in batches])
    owner = np.searchsorted(ends, positions, side='right')
    starts = ends - [len(b) for b in batches]
    return Lines.concat([b.take(positions[owner == i] - starts[i])
                         for i, b in enumerate(batches) if (owner == i).any()])


_MINUS_ONE_DEFAULT = {'source_partner', 'source_order', 'reverses_period', 'rank'}


def rate_lines(component, basis, beneficiary, base, rate, *, ranks, version,
               source_partner=None, source_order=None, level=None, paid_level=None):
    """Build lines paying ``base * rate`` (the one rounding) and drop zero amounts.

    ``beneficiary`` and ``base`` are arrays of one length; every other
    argument is an array of that length or a scalar; ``ranks`` is the paid-as
    rank of every partner (int16[N]).
    """
    base = np.asarray(base, np.int64)
    amount = apply_rate(base, np.asarray(rate, np.int64))
    nonzero = amount != 0
    kept = slice(None) if nonzero.all() else nonzero

    def pick(values):
        return values if values is None or np.ndim(values) == 0 else values[kept]

    beneficiary = pick(np.asarray(beneficiary, np.int32))
    return Lines(
        beneficiary=beneficiary, component=COMPONENTS.index(component),
        source_partner=pick(source_partner), source_order=pick(source_order),
        level=pick(level), paid_level=pick(paid_level), basis=BASES.index(basis),
        base=pick(base), rate=pick(rate), amount=pick(amount), rank=ranks[beneficiary],
        version=version)
