# This file is part of the MLM suite. See LICENSE for details.
"""Tables with one partition per period (PostgreSQL, ADR 0051)."""
import datetime as dt
import unittest

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_network.partition import (
    Replacement, create_parent, move_plain_rows, swap)
from mlm_network.tests.tools import DatabaseTestCase


@unittest.skipUnless(backend.name == 'postgresql', 'partitions: PostgreSQL')
class PartitionTestCase(DatabaseTestCase):
    "Partitioned parents, fresh partitions swapped in, migration"
    modules = ('mlm_network',)

    def execute(self, sql):
        cursor = Transaction().connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else None

    def partitions(self, table):
        return sorted(self.execute(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) "
                "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = '%s'::regclass" % table))

    def rows(self, table):
        return self.execute(
            'SELECT tableoid::regclass::text, id, period, x FROM "%s" '
            'ORDER BY id' % table)

    @with_transaction()
    def test_rank_records_are_partitioned_by_period_start(self):
        RankRecord = Pool().get('mlm.rank.record')
        self.assertEqual(self.execute(
                "SELECT relkind FROM pg_class WHERE relname = '%s'"
                % RankRecord._table), [('p',)])
        self.assertEqual(self.partitions(RankRecord._table),
            [('mlm_rank_record_default', 'DEFAULT')])
        self.assertEqual(self.execute(
                "SELECT pg_get_partkeydef('mlm_rank_record'::regclass)"),
            [('LIST (period_start)',)])

    @with_transaction()
    def test_replacement_becomes_the_period_partition(self):
        create_parent('mlm_test_part', 'period')
        self.execute('ALTER TABLE mlm_test_part ADD COLUMN x VARCHAR')
        self.execute('CREATE INDEX idx_mlm_test_part_x ON mlm_test_part '
            '(x) WHERE x IS NOT NULL')
        self.execute('ALTER TABLE mlm_test_part ADD CONSTRAINT '
            'mlm_test_part_x_unique UNIQUE (x, period)')
        # written by the ORM before the period had a partition
        self.execute("INSERT INTO mlm_test_part (period, x) "
            "VALUES (7, 'orm'), (8, 'other period')")

        first = Replacement('mlm_test_part', 'period', 7)
        first.create()
        self.execute("INSERT INTO mlm_test_part_p7_new (period, x) "
            "VALUES (7, 'a'), (7, 'b')")
        self.assertEqual([r[3] for r in self.rows('mlm_test_part')],
            ['other period'])
        swap([first])
        self.assertEqual(self.rows('mlm_test_part'), [
                ('mlm_test_part_default', 2, 8, 'other period'),
                ('mlm_test_part_p7', 3, 7, 'a'),
                ('mlm_test_part_p7', 4, 7, 'b')])

        second = Replacement('mlm_test_part', 'period', 7)
        second.create()
        self.execute("INSERT INTO mlm_test_part_p7_new (period, x) "
            "VALUES (7, 'c')")
        # until the swap readers see the rows replaced
        self.assertEqual(len(self.rows('mlm_test_part')), 3)
        swap([second])
        self.assertEqual(self.rows('mlm_test_part'), [
                ('mlm_test_part_default', 2, 8, 'other period'),
                ('mlm_test_part_p7', 5, 7, 'c')])
        self.assertEqual(self.partitions('mlm_test_part'), [
                ('mlm_test_part_default', 'DEFAULT'),
                ('mlm_test_part_p7', 'FOR VALUES IN (7)')])
        # the indexes built before the attach are the parent's partitions
        self.assertEqual(self.execute(
                'SELECT p.relname, i.indisunique FROM pg_index i '
                'JOIN pg_inherits h ON h.inhrelid = i.indexrelid '
                'JOIN pg_class p ON p.oid = h.inhparent '
                "WHERE i.indrelid = 'mlm_test_part_p7'::regclass "
                'ORDER BY 1'), [
                ('idx_mlm_test_part_x', False),
                ('mlm_test_part_pkey', True),
                ('mlm_test_part_x_unique', True)])
        self.assertEqual(self.execute(
                'SELECT COUNT(*) FROM pg_index '
                "WHERE indrelid = 'mlm_test_part_p7'::regclass"), [(3,)])
        with self.assertRaises(backend.DatabaseIntegrityError):
            self.execute('INSERT INTO mlm_test_part_p7 (period) VALUES (8)')

    @with_transaction()
    def test_replacement_of_a_date_keeps_the_rows_asked_for(self):
        create_parent('mlm_test_part', 'start', 'DATE')
        self.execute('ALTER TABLE mlm_test_part ADD COLUMN company INTEGER')
        self.execute("INSERT INTO mlm_test_part (start, company) VALUES "
            "('2024-07-01', 1), ('2024-07-01', 2), ('2024-08-01', 1)")
        replacement = Replacement('mlm_test_part', 'start',
            dt.date(2024, 7, 1), keep='company <> 1')
        replacement.create()
        self.execute("INSERT INTO mlm_test_part_p20240701_new "
            "(start, company) VALUES ('2024-07-01', 1)")
        swap([replacement])
        self.assertEqual(self.execute(
                'SELECT tableoid::regclass::text, id, start, company '
                'FROM mlm_test_part ORDER BY id'), [
                ('mlm_test_part_p20240701', 2, dt.date(2024, 7, 1), 2),
                ('mlm_test_part_default', 3, dt.date(2024, 8, 1), 1),
                ('mlm_test_part_p20240701', 4, dt.date(2024, 7, 1), 1)])

    @with_transaction()
    def test_plain_table_moved_into_partitions_with_its_ids(self):
        self.execute('CREATE TABLE mlm_test_part (id INTEGER GENERATED BY '
            'DEFAULT AS IDENTITY PRIMARY KEY, period INTEGER NOT NULL, '
            'x VARCHAR, CONSTRAINT mlm_test_part_x_unique UNIQUE (x, period))')
        self.execute('CREATE INDEX idx_mlm_test_part_x ON mlm_test_part (x)')
        self.execute("INSERT INTO mlm_test_part (period, x) "
            "VALUES (1, 'a'), (2, 'b'), (1, 'c')")

        create_parent('mlm_test_part', 'period')
        self.execute('ALTER TABLE mlm_test_part ADD COLUMN x VARCHAR')
        # the names are free again for Tryton's index and constraint
        self.execute('CREATE INDEX idx_mlm_test_part_x ON mlm_test_part (x)')
        self.execute('ALTER TABLE mlm_test_part ADD CONSTRAINT '
            'mlm_test_part_x_unique UNIQUE (x, period)')
        move_plain_rows('mlm_test_part', 'period')

        self.assertEqual(self.rows('mlm_test_part'), [
                ('mlm_test_part_p1', 1, 1, 'a'),
                ('mlm_test_part_p2', 2, 2, 'b'),
                ('mlm_test_part_p1', 3, 1, 'c')])
        self.assertEqual(self.execute(
                "SELECT to_regclass('mlm_test_part__plain')"), [(None,)])
        self.assertEqual(self.execute(
                "INSERT INTO mlm_test_part (period, x) VALUES (3, 'd') "
                "RETURNING id, tableoid::regclass::text"),
            [(4, 'mlm_test_part_default')])
