# This file is part of the MLM suite. See LICENSE for details.
"""Set-based writes for migrations and benchmarks.

Rows are streamed with COPY on PostgreSQL (formatted here in large text
blocks: the per-row ``write_row`` of psycopg is the bottleneck otherwise)
and with executemany on SQLite; the ids are reserved up front from the
table sequence so related rows can be written in the same pass.  Nothing
here goes through the ORM: callers validate first (see partner_import).
"""
import datetime as dt
import logging
import re
import time

from trytond import backend
from trytond.transaction import Transaction

__all__ = ['allocate_ids', 'write_rows', 'loading']
logger = logging.getLogger(__name__)

_ESCAPE = str.maketrans({
        '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})
_SPECIAL = re.compile(r'[\\\t\n\r]')
BLOCK = 10000


def allocate_ids(table, count):
    """Reserve count consecutive new ids of table (a table name).

    On PostgreSQL the sequence is advanced by count in one statement; a
    concurrent insert into the same table in between makes the later COPY
    fail on the primary key instead of mixing rows."""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    if not count:
        return []
    if backend.name == 'postgresql':
        sequence = '"%s_id_seq"' % table
        cursor.execute(
            'SELECT setval(%s, nextval(%s) + %s - 1)',
            (sequence, sequence, count))
        last, = cursor.fetchone()
        return list(range(last - count + 1, last + 1))
    cursor.execute('SELECT MAX(id) FROM "%s"' % table)
    start = (cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + count))


def _text(value):
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    if isinstance(value, str):
        # translate is slow on long strings (paths of deep lines): only
        # the rare values with a special character go through it
        if _SPECIAL.search(value):
            return value.translate(_ESCAPE)
        return value
    return str(value)


def _lines(rows, suffix=''):
    """Yield the COPY text lines of rows.

    Strings and integers, most of the values, are converted inline; the
    other values (dates, booleans, decimals) repeat and are cached."""
    special = _SPECIAL.search
    cache = {}

    def other(value):
        # keyed with the class: True, 1 and Decimal('1') are equal
        key = (value.__class__, value)
        try:
            return cache[key]
        except KeyError:
            cache[key] = text = _text(value)
            return text
    for row in rows:
        yield '\t'.join([
                (value.translate(_ESCAPE) if special(value) else value)
                if value.__class__ is str
                else str(value) if value.__class__ is int
                else other(value)
                for value in row]) + suffix


def write_rows(table, columns, rows, audit=True):
    """Write rows (iterables matching columns) into table.

    With audit the create_uid and create_date columns are added."""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    columns = list(columns)
    audit_values = ()
    if audit:
        columns += ['create_uid', 'create_date']
        audit_values = (transaction.user, dt.datetime.now())
    names = ', '.join('"%s"' % c for c in columns)
    start = time.perf_counter()
    if backend.name == 'postgresql':
        suffix = ''.join('\t' + _text(v) for v in audit_values)
        with cursor.copy(
                'COPY "%s" (%s) FROM STDIN' % (table, names)) as copy:
            block = []
            for line in _lines(rows, suffix):
                block.append(line)
                if len(block) >= BLOCK:
                    copy.write('\n'.join(block) + '\n')
                    block = []
            if block:
                copy.write('\n'.join(block) + '\n')
    else:
        placeholders = ', '.join(['?'] * len(columns))
        cursor.executemany(
            'INSERT INTO "%s" (%s) VALUES (%s)' % (table, names, placeholders),
            [tuple(r) + audit_values for r in rows])
    logger.info('%s written in %.1f s', table, time.perf_counter() - start)


# From this number of rows on, secondary indexes and foreign keys are
# rebuilt once after the load instead of being maintained row by row.
REBUILD_THRESHOLD = 50000


class loading:
    """Context manager for a large load into tables (PostgreSQL only).

    Drops the secondary indexes and the foreign keys of the tables, and
    recreates them on exit: the indexes are built by sorting and the foreign
    keys are re-added NOT VALID then validated in one pass each.  This is
    what pg_restore does; it takes an exclusive lock on the tables until the
    end of the transaction.  Indexes that belong to a constraint (primary
    key, unique, exclusion like bank's one IBAN per account) stay: they
    enforce a rule during the load and cannot be dropped on their own."""

    def __init__(self, tables, rows):
        self.tables = list(tables)
        self.active = (backend.name == 'postgresql'
            and rows >= REBUILD_THRESHOLD)
        self.indexes = []
        self.foreign_keys = []

    def __enter__(self):
        if not self.active:
            return self
        cursor = Transaction().connection.cursor()
        relations = ['"%s"' % t for t in self.tables]
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) "
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) "
            "AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT x.indisexclusion "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = x.indexrelid "
            "AND d.refclassid = 'pg_constraint'::regclass)",
            (relations,))
        self.indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, "
            "pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])",
            (relations,))
        self.foreign_keys = cursor.fetchall()
        for table, name, _ in self.foreign_keys:
            cursor.execute('ALTER TABLE %s DROP CONSTRAINT "%s"'
                % (table, name))
        for name, _ in self.indexes:
            cursor.execute('DROP INDEX "%s"' % name)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if not self.active or exc_type is not None:
            return False
        cursor = Transaction().connection.cursor()
        start = time.perf_counter()
        for _, definition in self.indexes:
            cursor.execute(definition)
        logger.info('%s indexes rebuilt in %.1f s',
            len(self.indexes), time.perf_counter() - start)
        for table, name, definition in self.foreign_keys:
            cursor.execute('ALTER TABLE %s ADD CONSTRAINT "%s" %s NOT VALID'
                % (table, name, definition))
            cursor.execute('ALTER TABLE %s VALIDATE CONSTRAINT "%s"'
                % (table, name))
        logger.info('%s foreign keys validated in %.1f s',
            len(self.foreign_keys), time.perf_counter() - start)
        for table in self.tables:
            cursor.execute('ANALYZE "%s"' % table)
        return False
