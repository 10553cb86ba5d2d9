# This file is part of the MLM suite. See LICENSE for details.
"""The run's bulk input and output (ADR 0050): columns read as arrays, rows
written with COPY in a thread of its own (PostgreSQL) or INSERT (SQLite)."""
import hashlib
import unittest

import numpy as np
from sql import Table

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_commission.run import texts_digest
from mlm_commission.run_text import (
    JOIN_ROWS, TextWriter, join_rows, read_columns)
from mlm_network.tests.tools import DatabaseTestCase


class RunTextTestCase(DatabaseTestCase):
    "read_columns and TextWriter on the test's backend"
    modules = ('mlm_commission',)

    @with_transaction()
    def test_read_columns_typed_and_ordered_by_the_first_column(self):
        cursor = Transaction().connection.cursor()
        cursor.execute('CREATE TABLE mlm_test_columns (id INTEGER, '
            'n INTEGER, d DATE, amount NUMERIC, flag BOOLEAN, name VARCHAR)')
        table = Table('mlm_test_columns')
        cursor.execute(*table.insert(
                [table.id, table.n, table.d, table.amount, table.flag,
                    table.name],
                [[30, 7, '1970-01-02', '12.34', True, 'a\tb\\c'],
                    [10, None, None, None, None, None],
                    [20, -5, '2024-07-31', '-0.05', False, 'Müller']]))

        ids, n, d, amount, flag, name = read_columns(
            table.select(table.id, table.n, table.d, table.amount,
                table.flag, table.name),
            ['int', 'int', 'day', 'cents', 'bool', 'text'])

        self.assertEqual(ids.tolist(), [10, 20, 30])
        self.assertEqual(n.tolist(), [0, -5, 7])
        self.assertEqual(d.tolist(), [0, 19935, 1])
        self.assertEqual(amount.tolist(), [0, -5, 1234])
        self.assertEqual(flag.tolist(), [False, False, True])
        self.assertEqual(name, [None, 'Müller', 'a\tb\\c'])
        self.assertEqual([str(c.dtype) for c in (ids, n, d, amount, flag)],
            ['int64', 'int64', 'int32', 'int64', 'bool'])

    @with_transaction()
    def test_read_columns_of_no_rows(self):
        table = Pool().get('mlm.commission.line').__table__()
        ids, amount = read_columns(
            table.select(table.id, table.amount), ['int', 'cents'])
        self.assertEqual((ids.tolist(), amount.tolist()), ([], []))

    @with_transaction()
    def test_writer_writes_the_rows_with_suffix_and_audit_columns(self):
        Entry = Pool().get('mlm.commission.period.entry')
        with TextWriter() as writer:
            writer.write(Entry, ['volume', 'role', 'origin_period'],
                ['11\torder\t\\N', '12\tlate\t3'], [('period', 4)])
            writer.write(Entry, ['volume', 'role', 'origin_period'], [],
                [('period', 5)])
        entries = Entry.search([], order=[('volume', 'ASC')])
        self.assertEqual(
            [(e.volume.id, e.role, e.origin_period and e.origin_period.id,
                    e.period.id, e.create_uid.id) for e in entries],
            [(11, 'order', None, 4, Transaction().user),
                (12, 'late', 3, 4, Transaction().user)])
        self.assertEqual(set(writer.finished), {Entry._table})

    @with_transaction()
    def test_writer_gives_the_connection_back_after_wait(self):
        Entry = Pool().get('mlm.commission.period.entry')
        cursor = Transaction().connection.cursor()
        with TextWriter() as writer:
            writer.write(Entry, ['volume', 'role'], ['51\torder'],
                [('period', 4)])
            writer.wait()
            cursor.execute('SELECT volume FROM "%s"' % Entry._table)
            self.assertEqual(cursor.fetchall(), [(51,)])
            writer.write(Entry, ['volume', 'role'], ['52\torder'],
                [('period', 4)])
        cursor.execute('SELECT volume FROM "%s" ORDER BY volume'
            % Entry._table)
        self.assertEqual(cursor.fetchall(), [(51,), (52,)])

    @with_transaction()
    def test_writer_raises_the_error_of_the_rows_waited_for(self):
        Entry = Pool().get('mlm.commission.period.entry')
        with self.assertRaises(backend.DatabaseIntegrityError):
            with TextWriter() as writer:
                writer.write(Entry, ['volume', 'role'],
                    ['61\torder', '61\torder'], [('period', 4)])
                writer.wait()
                self.fail('wait() returned after a failed write')

    @with_transaction()
    def test_writer_raises_the_database_error_and_stops(self):
        Entry = Pool().get('mlm.commission.period.entry')
        # the entry's volume is unique: the second table write fails
        with self.assertRaises(backend.DatabaseIntegrityError):
            with TextWriter() as writer:
                writer.write(Entry, ['volume', 'role'],
                    ['21\torder', '21\torder'], [('period', 4)])
                writer.write(Entry, ['volume', 'role'], ['22\torder'],
                    [('period', 4)])
        self.assertEqual(writer.finished, {})

    @with_transaction()
    def test_writer_lets_the_callers_error_through(self):
        Entry = Pool().get('mlm.commission.period.entry')
        with self.assertRaisesRegex(ValueError, 'texts of the next table'):
            with TextWriter() as writer:
                writer.write(Entry, ['volume', 'role'], ['31\torder'],
                    [('period', 4)])
                raise ValueError('texts of the next table')

    @unittest.skipUnless(backend.name == 'postgresql', 'fresh tables')
    @with_transaction()
    def test_writer_fills_a_fresh_table_with_suffix_defaults(self):
        # (COPY FREEZE: PostgreSQL refuses it unless the table was created
        # in the current subtransaction, as here and in a run)
        Entry = Pool().get('mlm.commission.period.entry')
        cursor = Transaction().connection.cursor()
        cursor.execute('CREATE TABLE mlm_test_fresh (id SERIAL, '
            'volume INTEGER, role VARCHAR, origin_period INTEGER, '
            'period INTEGER, create_uid INTEGER, create_date TIMESTAMP)')
        with TextWriter({Entry: 'mlm_test_fresh'}) as writer:
            for rows in [['41\torder\t\\N'], ['42\tlate\t3']]:
                writer.write(Entry, ['volume', 'role', 'origin_period'],
                    rows, [('period', 4)])
        cursor.execute('SELECT volume, role, origin_period, period, '
            'create_uid, create_date IS NOT NULL FROM mlm_test_fresh '
            'ORDER BY id')
        self.assertEqual(cursor.fetchall(), [
                (41, 'order', None, 4, Transaction().user, True),
                (42, 'late', 3, 4, Transaction().user, True)])
        # nothing of the run stays in the table's definition
        cursor.execute('SELECT column_name FROM information_schema.columns '
            "WHERE table_name = 'mlm_test_fresh' "
            "AND column_default IS NOT NULL")
        self.assertEqual(cursor.fetchall(), [('id',)])
        self.assertEqual(set(writer.finished), {Entry._table})


class JoinTestCase(unittest.TestCase):
    """Texts joined in pieces of JOIN_ROWS (each piece holds the GIL, not
    the whole slice) are the texts joined at once"""

    def test_join_rows_across_pieces(self):
        n = 2 * JOIN_ROWS + 1
        numbers = np.arange(n).astype(str).astype(object)
        rows = join_rows([numbers, ['x'] * n, numbers])
        self.assertEqual(len(rows), n)
        self.assertEqual(rows[0], '0\tx\t0')
        self.assertEqual(rows[JOIN_ROWS], '%d\tx\t%d' % (JOIN_ROWS, JOIN_ROWS))
        self.assertEqual(rows[-1], '%d\tx\t%d' % (n - 1, n - 1))

    def test_join_rows_of_nothing(self):
        self.assertEqual(join_rows([]), [])
        self.assertEqual(join_rows([np.empty(0, object)]), [])

    def test_texts_digest_across_pieces_and_calls(self):
        texts = [str(i) for i in range(2 * JOIN_ROWS + 1)]
        whole = hashlib.sha256(('\n'.join(texts) + '\n').encode())
        self.assertEqual(texts_digest(texts), whole.hexdigest())
        digest = hashlib.sha256()
        texts_digest(texts[:3], digest)
        self.assertEqual(texts_digest(texts[3:], digest), whole.hexdigest())
