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
import time

from trytond import backend
from trytond.transaction import Transaction

__all__ = ['allocate_ids', 'write_rows', 'loading']
logger = logging.getLogger(__name__)

_ESCAPE = str.maketrans({
        '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})
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
        return value.translate(_ESCAPE)
    return str(value)


def write_rows(table, columns, rows, audit=True):
    """Write rows (iterables matching columns) into table.

    With audit the create_uid and create_date columns are added."""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    columns = list(columns)
    if audit:
        columns += ['create_uid', 'create_date']
        user = transaction.user
        now = dt.datetime.now()
        rows = (tuple(r) + (user, now) for r in rows)
    names = ', '.join('"%s"' % c for c in columns)
    start = time.perf_counter()
    if backend.name == 'postgresql':
        with cursor.copy(
                'COPY "%s" (%s) FROM STDIN' % (table, names)) as copy:
            block = []
            for row in rows:
                block.append('\t'.join(map(_text, row)))
                if len(block) >= BLOCK:
                    copy.write('\n'.join(block) + '\n')
                    block = []
            if block:
                copy.write('\n'.join(block) + '\n')
    else:
        placeholders = ', '.join(['?'] * len(columns))
        cursor.executemany(
            'INSERT INTO "%s" (%s) VALUES (%s)' % (table, names, placeholders),
            list(rows))
    logger.info('%s written in %.1f s', table, time.perf_counter() - start)


# Above this number of rows, secondary indexes and foreign keys are
# rebuilt once after the load instead of being maintained row by row.
REBUILD_THRESHOLD = 50000


class loading:
    """Context manager for a large load into tables (PostgreSQL only).

    Drops the secondary (non-unique) indexes and the foreign keys of the
    tables, and recreates them on exit: the indexes are built by sorting
    and the foreign keys are re-added NOT VALID then validated in one pass
    each.  This is what pg_restore does; it takes an exclusive lock on the
    tables until the end of the transaction."""

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
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid "
            "WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) "
            "AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
            "WHERE k.conindid = x.indexrelid)",
            (self.tables,))
        self.indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, "
            "pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
            (['"%s"' % t if '-' in t else t for t in self.tables],))
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
