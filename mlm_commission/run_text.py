# This file is part of the MLM suite. See LICENSE for details.
"""Rows written by commission runs, as PostgreSQL COPY text built per column.

A run writes millions of rows; converting every value to Decimal and back
to text row by row costs more than the database write itself.  The values
are formatted here once per distinct value (``numpy.unique``) and picked per
row by index; a row is the tab-joined texts of its columns.  The same text
is the input of the output hash (ADR 0046), so the hash needs no second
pass over the database.  SQLite (tests, demo) gets typed rows converted
back from the texts.
"""
import datetime as dt
import json
import queue
import re
import sys
import threading
import time
from decimal import Decimal

import numpy as np

from trytond import backend
from trytond.model import fields
from trytond.transaction import Transaction

from mlm_network.partition import sql_literal

from .engine.dates import EPOCH

NULL = '\\N'
_ESCAPE = str.maketrans({
        '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})
_SPECIAL = re.compile(r'[\\\t\n\r]')
_UNESCAPE = re.compile(r'\\(.)')
_UNESCAPED = {'\\': '\\', 't': '\t', 'n': '\n', 'r': '\r'}
BLOCK = 20000
SWITCH_INTERVAL = 0.001   # seconds, while a writer thread runs
# texts joined per C call: a call holds the GIL throughout, and the writer
# thread (TextWriter) waits for it to send the server its next block
JOIN_ROWS = 5000


def day_number(date):
    "The day number of date (days since 1970-01-01, the engine's dates)"
    return (date - EPOCH).days


def cents(value):
    "The Numeric value (Decimal, float or text) in hundredths"
    return int((Decimal(str(value)) * 100).to_integral_value())


def escape(value):
    "The COPY text of a string (NULL for None)"
    if value is None:
        return NULL
    value = str(value)
    return value.translate(_ESCAPE) if _SPECIAL.search(value) else value


def fixed(value, scale):
    "The text of the integer value in units of 10**-scale: 1234, 2 -> 12.34"
    whole, fraction = divmod(abs(int(value)), 10 ** scale)
    return '%s%d.%0*d' % ('-' if value < 0 else '', whole, scale, fraction)


def texts_of(values, text):
    """Object array of text(v) for the integer array values, text called
    once per distinct value"""
    values = np.asarray(values, np.int64).reshape(-1)
    if not len(values):
        return np.empty(0, object)
    low, high = int(values.min()), int(values.max())
    if high - low < 4 * len(values) + 1000:
        # dense: no sort
        offset = values - low
        present = np.zeros(high - low + 1, bool)
        present[offset] = True
        table = np.empty(len(present), object)
        distinct = np.flatnonzero(present)
        table[distinct] = [text(v + low) for v in distinct.tolist()]
        return table[offset]
    distinct, inverse = np.unique(values, return_inverse=True)
    table = np.array([text(v) for v in distinct.tolist()], object)
    return table[inverse.reshape(-1)]


def fixed_texts(values, scale):
    "Object array of fixed(v, scale) for the integer array values"
    return texts_of(values, lambda v: fixed(v, scale))


def int_texts(values):
    "Object array of the decimal texts of the integer array values"
    return texts_of(values, str)


def lookup(texts):
    """Object array of texts with NULL appended: indexing it with -1 (no
    reference) gives NULL"""
    result = np.empty(len(texts) + 1, object)
    result[:-1] = texts
    result[-1] = NULL
    return result


def object_array(values):
    "The one-dimensional object array of values (texts or None)"
    result = np.empty(len(values), object)
    result[:] = values
    return result


def constant(text, n):
    result = np.empty(n, object)
    result[:] = text
    return result


def value_text(value, scale=None):
    "The text a value read from the database was written with"
    if value is None:
        return NULL
    if isinstance(value, bool):
        return 't' if value else 'f'
    if scale is not None:
        value = Decimal(str(value))
        return fixed(int(value.scaleb(scale).to_integral_value()), scale)
    if isinstance(value, (dt.date, int)):
        return str(value)
    return escape(value)


def join_rows(columns):
    "The row texts of the columns (sequences of texts of equal length)"
    columns = [c.tolist() if isinstance(c, np.ndarray) else c
        for c in columns]
    rows = []
    for i in range(0, len(columns[0]) if columns else 0, JOIN_ROWS):
        rows += map('\t'.join, zip(*[c[i:i + JOIN_ROWS] for c in columns]))
    return rows


class TextWriter:
    """Writes rows (texts of columns) into the tables of models, in order.

    On PostgreSQL the COPY runs in a thread of its own on the caller's
    connection, so the server ingests one table while Python builds the
    texts of the next; the caller must not use the connection inside the
    ``with`` block, except after ``wait()``.  Leaving the block waits for
    the writes and raises the first error of the thread.  SQLite (tests,
    demo) writes at once with multi-row INSERT."""

    def __init__(self, tables=None):
        """tables: {Model: fresh table} written instead of the model's own
        table (ADR 0051)"""
        transaction = Transaction()
        self._tables = tables or {}
        self._defaults = {}    # fresh table: suffix set as column defaults
        self._cursor = transaction.connection.cursor()
        self._audit = [('create_uid', transaction.user),
            ('create_date', dt.datetime.now())]
        self._jobs = queue.Queue()
        self._error = None
        self._thread = None
        self.finished = {}     # table: time.perf_counter() when written

    def __enter__(self):
        if backend.name == 'postgresql':
            # the writer thread takes the GIL back each time the socket has
            # room; while the main thread builds texts it gets it at the
            # next switch, 5 ms by default: 1 ms instead sends at 1M
            # partners 1.6 s sooner (process-wide, restored on exit)
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, type_, value, traceback):
        if self._thread is not None:
            if value is not None and self._error is None:
                # the caller failed: the queued writes are skipped
                self._error = value
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
            sys.setswitchinterval(self._switch_interval)
        if self._error is not None and self._error is not value:
            raise self._error

    def write(self, Model, columns, rows, suffix=()):
        """Write rows into Model's table (or its fresh table).

        suffix: (column, value) pairs equal for every row (company, run,
        ...); the audit columns create_uid and create_date are added."""
        if not len(rows):
            return
        table = self._tables.get(Model, Model._table)
        job = (Model, table, list(columns), rows, list(suffix) + self._audit)
        if self._thread is not None:
            self._jobs.put(job)
        else:
            self._insert(*job)
            self.finished[Model._table] = time.perf_counter()

    def wait(self):
        """Wait until the rows given are written: the caller may use the
        connection again until its next write"""
        self._jobs.join()
        if self._error is not None:
            raise self._error

    def _work(self):
        while True:
            job = self._jobs.get()
            if self._error is None:
                try:
                    if job is None:
                        self._drop_defaults()
                    else:
                        self._copy(*job)
                        self.finished[job[0]._table] = time.perf_counter()
                except BaseException as error:
                    self._error = error
            self._jobs.task_done()
            if job is None:
                return

    def _copy(self, Model, table, columns, rows, suffix):
        options = ''
        if table != Model._table:
            # a fresh table (ADR 0051): the values equal for every row become
            # column defaults, not sent and parsed once per row; created in
            # the run's subtransaction, it takes its rows frozen
            self._set_defaults(table, suffix)
            suffix = []
            options = ' WITH (FREEZE)'
        names = columns + [c for c, _ in suffix]
        end = ''.join('\t' + value_text(v) for _, v in suffix) + '\n'
        with self._cursor.copy('COPY "%s" (%s) FROM STDIN%s' % (table,
                    ', '.join('"%s"' % n for n in names), options)) as copy:
            for i in range(0, len(rows), BLOCK):
                copy.write(end.join(rows[i:i + BLOCK]) + end)

    def _set_defaults(self, table, suffix):
        if self._defaults.get(table) == suffix:
            return
        self._cursor.execute('ALTER TABLE "%s" %s' % (table, ', '.join(
                    'ALTER COLUMN "%s" SET DEFAULT %s' % (c, sql_literal(v))
                    for c, v in suffix)))
        self._defaults[table] = suffix

    def _drop_defaults(self):
        for table, suffix in self._defaults.items():
            self._cursor.execute('ALTER TABLE "%s" %s' % (table, ', '.join(
                        'ALTER COLUMN "%s" DROP DEFAULT' % c
                        for c, _ in suffix)))

    def _insert(self, Model, table, columns, rows, suffix):
        names = columns + [c for c, _ in suffix]
        converters = [_converter(Model._fields[c]) for c in columns]
        tail = tuple(v for _, v in suffix)
        self._cursor.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (
                table, ', '.join('"%s"' % n for n in names),
                ', '.join(['?'] * len(names))),
            [tuple(convert(v) for convert, v in zip(
                        converters, row.split('\t'))) + tail
                for row in rows])


def _converter(field):
    "text -> value of field's type (SQLite)"
    def typed(function):
        return lambda text: None if text == NULL else function(text)
    if isinstance(field, (fields.Many2One, fields.Integer)):
        return typed(int)
    if isinstance(field, fields.Numeric):
        return typed(Decimal)
    if isinstance(field, fields.Boolean):
        return typed(lambda t: t == 't')
    if isinstance(field, fields.Date):
        return typed(dt.date.fromisoformat)
    if isinstance(field, fields.Float):
        return typed(float)
    return typed(lambda t: _UNESCAPE.sub(
            lambda m: _UNESCAPED.get(m.group(1), m.group(1)), t))


def read_columns(query, kinds):
    """The columns of query (python-sql) in ascending order of its first
    column (unique integers), typed by kinds per column:

    * 'int': int64 array (NULL: 0);
    * 'day': int32 array of day numbers since 1970-01-01 (NULL: 0);
    * 'cents': int64 array of a Numeric in hundredths (NULL: 0);
    * 'bool': bool array (NULL: false);
    * 'text': list of str or None.

    On PostgreSQL one row of arrays, one per column: a million rows arrive
    as a few values, without a Python object per row and value.  The
    numbers come as PostgreSQL arrays in binary form (``array_send``), read
    by numpy as they are; the texts as JSON arrays (``json_agg``), parsed
    by ``json.loads`` in C."""
    cursor = Transaction().connection.cursor()
    if backend.name != 'postgresql':
        cursor.execute(*query)
        columns = list(zip(*cursor.fetchall())) or [()] * len(kinds)
        columns = [_sqlite_column(c, k) for c, k in zip(columns, kinds)]
    else:
        sql, params = tuple(query)
        names = ['c%s' % i for i in range(len(kinds))]
        cursor.execute('SELECT %s FROM (%s) AS q (%s)' % (
                ', '.join(_AGGREGATED[k] % (_ENCODED[k] % n)
                    for n, k in zip(names, kinds)),
                sql, ', '.join(names)), params, binary=True)
        columns = [_array_column(v, k) if k != 'text'
            else json.loads(v or '[]')
            for v, k in zip(cursor.fetchone(), kinds)]
    if columns and len(columns[0]):
        order = np.argsort(columns[0], kind='stable')
        if (order != np.arange(len(order))).any():
            columns = [c[order] if isinstance(c, np.ndarray)
                else object_array(c)[order].tolist() for c in columns]
    return columns


_ENCODED = {
    'int': 'COALESCE(%s, 0)::BIGINT',
    'day': "COALESCE(%s - DATE '1970-01-01', 0)",
    'cents': 'COALESCE(ROUND(%s * 100), 0)::BIGINT',
    'bool': 'COALESCE(%s, FALSE)',
    'text': '%s',
    }
_AGGREGATED = {kind: 'array_send(array_agg(%s))' for kind in _ENCODED}
_AGGREGATED['text'] = 'json_agg(%s)::text'
_DTYPES = {'int': np.int64, 'day': np.int32, 'cents': np.int64,
    'bool': bool}


def _array_column(data, kind):
    """The array of kind of a one-dimensional PostgreSQL array without
    NULLs in binary form: a header of five big-endian int32 (dimensions,
    NULL flag, element type, length, lower bound), then per element its
    size (int32) and its big-endian value"""
    if data is None or not np.frombuffer(data, '>i4', 1)[0]:
        return np.zeros(0, _DTYPES[kind])
    header = np.frombuffer(data, '>i4', 6)
    length, size = int(header[3]), int(header[5])
    element = np.dtype([('size', '>i4'), ('value', '>i%d' % size)])
    values = np.frombuffer(data, element, length, offset=20)['value']
    return values.astype(_DTYPES[kind])


def _sqlite_column(values, kind):
    if kind == 'text':
        return list(values)
    if kind == 'day':
        values = [day_number(_date(v)) if v else 0 for v in values]
    elif kind == 'cents':
        values = [cents(v) if v is not None else 0 for v in values]
    else:
        values = [v or 0 for v in values]
    return np.array(values, _DTYPES[kind]).reshape(-1)


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def read_rows(query, kinds):
    """The rows of query (python-sql) as tuples typed by kinds ('int',
    'bool', 'date', 'decimal', 'text' per column).

    On PostgreSQL through COPY TO: psycopg's row loader (the pure Python
    implementation, installed here) costs tens of microseconds per value,
    the text of COPY is parsed per column with numpy instead."""
    cursor = Transaction().connection.cursor()
    if backend.name != 'postgresql':
        cursor.execute(*query)
        return cursor.fetchall()
    sql, params = tuple(query)
    with cursor.copy('COPY (%s) TO STDOUT' % sql, params) as copy:
        data = b''.join(bytes(block) for block in copy)
    lines = data.decode().split('\n')[:-1]
    if not lines:
        return []
    columns = list(zip(*(line.split('\t') for line in lines)))
    return list(zip(*(_typed(c, k) for c, k in zip(columns, kinds))))


def _typed(texts, kind):
    nulls = NULL in texts
    if kind == 'int' and not nulls:
        return np.array(texts).astype(np.int64).tolist()
    if kind == 'date' and not nulls:
        return np.array(texts, 'datetime64[D]').tolist()
    convert = {
        'int': int,
        'bool': lambda t: t == 't',
        'date': dt.date.fromisoformat,
        'decimal': Decimal,
        'text': lambda t: _UNESCAPE.sub(
            lambda m: _UNESCAPED.get(m.group(1), m.group(1)), t),
        }[kind]
    return [None if t == NULL else convert(t) for t in texts]
