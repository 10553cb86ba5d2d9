# This file is part of the MLM suite. See LICENSE for details.
"The downline queries give the rows of one ORDER BY (level, number)"
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_network.downline_stats import refresh_downline_stats
from mlm_network.tests.tools import (
    DatabaseTestCase, create_distributor, day)

from mlm_portal import downline_queries
from mlm_portal.downline_queries import downline_counts, downline_page

FILTERS = {'q': '', 'status': '', 'level': None}


class DownlineQueriesTestCase(DatabaseTestCase):
    "Downline queries"
    modules = ('mlm_portal',)

    def build(self):
        """A leader with 3 children, each with 3 children and a chain of 4
        below the last grandchild; every third partner inactive; the tree
        outside (a sibling) must never show"""
        root = create_distributor("Root", status='active',
            join_date=day(200))
        me = create_distributor("Me", root, status='active',
            join_date=day(200))
        create_distributor("Sibling", root, status='active')
        members, parents, count = [], [me], 0
        for level in range(2):
            children = []
            for parent in parents:
                for _ in range(3):
                    count += 1
                    children.append(create_distributor(
                            "M%02d" % count, parent,
                            status='inactive' if count % 3 == 0
                            else 'active',
                            join_date=day(5 if count % 4 == 0 else 90)))
            members += children
            parents = children
        parent = parents[-1]
        for index in range(4):
            count += 1
            parent = create_distributor("C%s" % index, parent,
                status='active', join_date=day(2))
            members.append(parent)
        return me, members

    def expected(self, me, members, status='', level=None):
        "The numbers in (level, number) order, as the old single query"
        rows = sorted(members, key=lambda m: (m.depth, m.number))
        return [m.number for m in rows
            if (not status or m.status == status)
            and (level is None or m.depth - me.depth == level)]

    def page(self, me, offset, limit, **filters):
        counts = downline_counts(me, day(30))
        total, rows = downline_page(me, dict(FILTERS, **filters),
            offset, limit, counts=counts)
        return total, [r['number'] for r in rows]

    @with_transaction()
    def test_pages_walk_and_fallback(self):
        "Every page, walked or read by prefix, is a slice of the order"
        company = create_company()
        with set_company(company):
            me, members = self.build()
            for budget in [(30, 10000), (2, 10000), (30, 4), (1, 1)]:
                with patch.multiple(downline_queries,
                        WALK_LEVELS=budget[0], WALK_MEMBERS=budget[1]):
                    for status in ['', 'active', 'inactive', 'suspended']:
                        expected = self.expected(me, members, status)
                        for offset in range(0, len(expected) + 2, 5):
                            with self.subTest(budget=budget, status=status,
                                    offset=offset):
                                self.assertEqual(
                                    self.page(me, offset, 5, status=status),
                                    (len(expected),
                                        expected[offset:offset + 5]))
                    for level in [1, 2, 3, 6, 7]:
                        expected = self.expected(me, members, level=level)
                        with self.subTest(budget=budget, level=level):
                            self.assertEqual(
                                self.page(me, 1, 4, level=level),
                                (len(expected), expected[1:5]))

    @with_transaction()
    def test_counts(self):
        "Counts from the statistics, new partners and personal on the tree"
        company = create_company()
        with set_company(company):
            me, members = self.build()
            self.assertEqual(downline_counts(me, day(30)), {
                    'size': 16, 'statuses': {'active': 12, 'inactive': 4},
                    'new': 7, 'personal': 3})

    @with_transaction()
    def test_counts_without_statistics(self):
        "Without complete statistics the counts come from the tree"
        pool = Pool()
        Statistics = pool.get('mlm.distributor.downline_statistics')
        company = create_company()
        with set_company(company):
            me, members = self.build()
            table = Statistics.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.delete(
                    where=table.distributor == members[-1].id))
            self.assertIsNone(Statistics.counts([me.id]))
            counts = downline_counts(me, day(30))
            self.assertEqual(counts, {
                    'size': 16, 'statuses': {'active': 12, 'inactive': 4},
                    'new': 7, 'personal': 3})
            self.assertEqual(self.page(me, 15, 5),
                (16, self.expected(me, members)[15:]))
            refresh_downline_stats()
            self.assertIsNotNone(Statistics.counts([me.id]))
