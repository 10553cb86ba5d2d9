"""Commission lines as columns, their canonical order and concatenation.

A :class:`Lines` batch of ``K`` lines has one column of length ``K`` per
name in ``COLUMNS``.  Indices refer to the partner/order tables; ``-1``
means "none".  ``base`` is in cents (cycles are counted in hundredths so that
``amount = round_half_up(base * rate / 10**6)`` holds for every line), ``rate``
in micro-units, ``amount`` and ``uncapped`` (amount before the payout cap) in
cents.

Compact storage (ADR 0016): a column is held in one of three ways, and every
column reads as an array of length ``K`` whichever way it is held:

* **stored** - an array of length ``K``;
* **constant** - one value for the whole batch (component, basis, version,
  the paid level of one unilevel level, ...), read as a zero-copy broadcast
  view;
* **derived** - a function of the batch's other columns and of the period's
  tables (``rank`` = paid-as rank of the beneficiary, ``source_partner`` =
  buyer of the source order, ``base`` = net volume of the source order,
  ``level`` = depth difference on the sponsor line, ...), computed on first
  read and kept from then on.

A line of an order component therefore stores 12-16 bytes (beneficiary, source
order, amount) instead of 52; the explanation columns cost nothing until a
writer or the simulator reads them.
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
_MINUS_ONE_DEFAULT = {'source_partner', 'source_order', 'reverses_period', 'rank'}


class Lines:
    """A columnar batch of commission lines; attributes named as in ``COLUMNS``.

    Columns not given take their default (-1 for references, 0 otherwise); a
    scalar is kept as a constant column.  ``derived`` maps column names to
    functions ``f(lines) -> array`` (see the module docstring).  The
    ``OPTIONAL`` columns stay ``None`` until some line needs them (saves
    memory on large runs); read them through :meth:`column` (``uncapped``
    then equals ``amount``).  Constant columns read as read-only views:
    assign a new array instead of writing into one.
    """

    def __init__(self, derived=None, **columns):
        values = {}
        self._size = len(columns['beneficiary'])
        self._derived = dict(derived or {})
        self._positional = set()
        for name, dtype in COLUMNS.items():
            value = columns.get(name)
            if name in self._derived:
                continue
            if value is None and name in OPTIONAL:
                continue
            if value is None:
                value = -1 if name in _MINUS_ONE_DEFAULT else 0
            values[name] = _as_column(value, dtype)
        self._values = values

    def __len__(self):
        return self._size

    @classmethod
    def empty(cls):
        return cls(beneficiary=np.zeros(0, np.int32))

    def _read(self, name):
        value = self._values.get(name)
        if value is None:
            compute = self._derived.pop(name, None)
            if compute is None:
                return None
            self._positional.discard(name)
            value = self._values[name] = _as_column(compute(self), COLUMNS[name])
        if value.ndim == 0:
            return np.broadcast_to(value, (self._size,))
        if value.dtype != COLUMNS[name]:
            return value.astype(COLUMNS[name])   # narrow storage stays narrow
        return value

    def _write(self, name, value):
        self._derived.pop(name, None)
        self._positional.discard(name)
        if value is None:
            self._values.pop(name, None)
        else:
            self._values[name] = _as_column(value, COLUMNS[name])

    def derive(self, name, compute, positional=False):
        """Make column ``name`` derived: ``compute(lines)`` on first read.

        ``positional``: the result depends on the lines' positions in this
        batch (not only on their columns), so :meth:`take` computes it first.
        """
        self._values.pop(name, None)
        self._derived[name] = compute
        if positional:
            self._positional.add(name)

    def raw(self, name):
        """Column ``name`` as held: a narrower array or a 0-d constant stay so."""
        self._read(name)
        return self._values.get(name)

    def constant(self, name):
        """The value of column ``name`` if it is one constant for the batch, else None."""
        value = self._values.get(name)
        return value.item() if value is not None and value.ndim == 0 else None

    def column(self, name):
        """The column ``name`` as an array, optional columns filled in."""
        value = getattr(self, name)
        if value is not None:
            return value
        if name == 'uncapped':
            return self.amount
        return np.zeros(len(self), COLUMNS[name])

    def take(self, index):
        """Lines at ``index`` (bool mask or positions), as a new batch (same derivations)."""
        for name in list(self._positional):
            self._read(name)
        taken = Lines.__new__(Lines)
        taken._derived = dict(self._derived)
        taken._positional = set()
        taken._values = {name: value if value.ndim == 0 else value[index]
                         for name, value in self._values.items()}
        taken._size = len(taken._values['beneficiary'])
        return taken

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


def _column_property(name):
    return property(lambda self: self._read(name),
                    lambda self, value: self._write(name, value),
                    doc=f'The ``{name}`` column (see ``COLUMNS``).')


for _name in COLUMNS:
    setattr(Lines, _name, _column_property(_name))


def _as_column(value, dtype):
    """A stored column: an array of ``dtype`` (0-d for a constant), copied only to convert.

    A narrower signed integer array is kept as given (each read returns it widened).
    """
    if isinstance(value, np.ndarray) and value.ndim and value.dtype.kind == 'i' \
            and value.dtype.itemsize < np.dtype(dtype).itemsize:
        return value
    return np.asarray(value, dtype=dtype)


def narrow(values):
    """``values`` (int64) as int32 if every value fits, for compact storage."""
    if len(values) and (values.min() < -2 ** 31 or values.max() >= 2 ** 31):
        return values
    return values.astype(np.int32)


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


def rate_lines(component, basis, beneficiary, base, rate, *, ranks, version,
               source_partner=None, source_order=None, level=None, paid_level=None):
    """Build lines paying ``base * rate`` (the one rounding) and drop zero amounts.

    ``beneficiary`` and ``base`` are arrays of one length; every other
    argument is an array of that length or a scalar; ``ranks`` is the paid-as
    rank of every partner (int16[N]).  All columns are stored (for the small
    per-partner components; order components use :func:`order_lines`).
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
