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
import re
from decimal import Decimal

import numpy as np

from trytond import backend
from trytond.model import fields
from trytond.transaction import Transaction

NULL = '\\N'
_ESCAPE = str.maketrans({
        '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})
_SPECIAL = re.compile(r'[\\\t\n\r]')
_UNESCAPE = re.compile(r'\\(.)')
_UNESCAPED = {'\\': '\\', 't': '\t', 'n': '\n', 'r': '\r'}
BLOCK = 20000


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
    return list(map('\t'.join, zip(*[
                    c.tolist() if isinstance(c, np.ndarray) else c
                    for c in columns])))


def write_text(Model, columns, rows, suffix=()):
    """Write rows (texts of columns) into Model's table.

    suffix: (column, value) pairs equal for every row (company, run, ...);
    the audit columns create_uid and create_date are added."""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    suffix = list(suffix) + [('create_uid', transaction.user),
        ('create_date', dt.datetime.now())]
    names = list(columns) + [c for c, _ in suffix]
    if not rows:
        return
    if backend.name == 'postgresql':
        end = ''.join('\t' + value_text(v) for _, v in suffix) + '\n'
        with cursor.copy('COPY "%s" (%s) FROM STDIN' % (Model._table,
                    ', '.join('"%s"' % n for n in names))) as copy:
            for i in range(0, len(rows), BLOCK):
                copy.write(end.join(rows[i:i + BLOCK]) + end)
        return
    converters = [_converter(Model._fields[c]) for c in columns]
    tail = tuple(v for _, v in suffix)
    cursor.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (
            Model._table, ', '.join('"%s"' % n for n in names),
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
