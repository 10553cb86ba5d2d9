# This file is part of the MLM suite. See LICENSE for details.
"""Property test: random move and termination sequences.

Whatever the sequence, the current tree stays acyclic with consistent
paths, refused operations change nothing and say why, and the as-of
queries equal a plain replay of the event log on every relevant date."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from mlm_network import tree
from mlm_network.exceptions import MoveError, StatusError

from .tools import (
    DatabaseTestCase, create_distributor, create_genealogy_managers, day)

SIZE = 7
HORIZON = 120

sponsors = st.tuples(*(
        st.none() if i == 0 else st.one_of(st.none(), st.integers(0, i - 1))
        for i in range(SIZE)))
operations = st.lists(st.tuples(
        st.sampled_from(['move', 'move', 'move', 'move', 'terminate']),
        st.integers(0, SIZE - 1),
        st.one_of(st.none(), st.integers(0, SIZE - 1)),
        st.integers(0, HORIZON),
        st.booleans(),
        ), max_size=10)
windows = st.sampled_from([None, 90])


class GenealogyPropertyTestCase(DatabaseTestCase):
    "Random genealogy histories"
    modules = ('mlm_network',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the two managers are committed once: creating users is slow
        with Transaction().start(DB_NAME, 0) as transaction:
            User = Pool().get('res.user')
            if not User.search([('login', '=', 'property_requester')]):
                create_genealogy_managers(
                    'property_requester', 'property_approver')
                transaction.commit()

    @settings(max_examples=60, deadline=None,
        suppress_health_check=[HealthCheck.too_slow])
    @given(initial=sponsors, ops=operations, window=windows)
    def test_random_histories(self, initial, ops, window):
        self.check_history(initial, ops, window)

    @with_transaction()
    def check_history(self, initial, ops, window):
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Configuration = pool.get('mlm.network.configuration')
        config = Configuration(1)
        config.move_window_days = window
        config.save()
        company = create_company()
        User = pool.get('res.user')
        gerda, = User.search([('login', '=', 'property_requester')])
        hans, = User.search([('login', '=', 'property_approver')])
        with set_company(company):
            nodes = []
            for index, sponsor in enumerate(initial):
                nodes.append(create_distributor(
                        'P%s' % index,
                        nodes[sponsor] if sponsor is not None else None,
                        join_date=day(HORIZON - 5 * index),
                        status='active' if index % 2 == 0 else 'applicant'))
            for kind, node, target, days, four_eyes in ops:
                node = Distributor(nodes[node].id)
                date = day(days)
                before = self.snapshot()
                try:
                    if kind == 'move':
                        Distributor.move_sponsor(
                            node,
                            nodes[target] if target is not None else None,
                            date, "Random", gerda,
                            hans if four_eyes else gerda)
                    else:
                        Distributor.set_status(
                            [node], 'terminated', date, "Random")
                except (MoveError, StatusError) as exception:
                    self.assertTrue(exception.message)
                    self.assertEqual(self.snapshot(), before)
            self.check_tree(company)
            self.check_as_of(nodes)

    def snapshot(self):
        cursor = Transaction().connection.cursor()
        cursor.execute('SELECT id, sponsor, path, depth, status '
            'FROM mlm_distributor ORDER BY id')
        distributors = cursor.fetchall()
        cursor.execute('SELECT COUNT(*) FROM mlm_genealogy_event')
        return distributors, cursor.fetchone()

    def check_tree(self, company):
        "The current tree is acyclic and its paths match the sponsors"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        distributors = Distributor.search([])
        for distributor in distributors:
            sponsor = distributor.sponsor
            expected = (sponsor.path if sponsor else '') + (
                '%s/' % distributor.id)
            self.assertEqual(distributor.path, expected)
            self.assertEqual(
                distributor.depth, len(tree.path_ids(expected)) - 1)
            # no id twice in a path: acyclic
            ids = tree.path_ids(distributor.path)
            self.assertEqual(len(ids), len(set(ids)))

    def events(self):
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        return [(e.id, e.distributor.id, e.valid_from,
                e.old_sponsor.id if e.old_sponsor else None,
                e.new_sponsor.id if e.new_sponsor else None)
            for e in Event.search([('kind', '=', 'sponsor')])]

    def check_as_of(self, nodes):
        "upline_at and downline_at equal the replay of the events"
        events = self.events()
        # every event continues the previous one of its node
        last = {}
        for id_, node, valid_from, old, new in sorted(
                events, key=lambda e: (e[2], e[0])):
            self.assertEqual(old, last.get(node))
            last[node] = new
        changes = {day(0)} | {e[2] for e in events}
        # the day before each change sees the structure before it
        dates = changes | {d - (day(0) - day(1)) for d in changes}
        for date in sorted(dates):
            parents = tree.replay(events, date)
            uplines = {}
            for node in parents:
                upline, current = [], parents[node]
                while current is not None:
                    self.assertNotIn(current, upline, 'cycle on %s' % date)
                    upline.append(current)
                    current = parents[current]
                uplines[node] = upline
            for node in nodes:
                self.assertEqual(
                    [u.id for u in node.upline_at(date)],
                    uplines.get(node.id, []), 'upline on %s' % date)
                if date in changes:
                    self.assertEqual(
                        {m.id for m in node.downline_at(date)},
                        {n for n, u in uplines.items() if node.id in u},
                        'downline on %s' % date)
                sponsor = node.sponsor_at(date)
                self.assertEqual(
                    sponsor.id if sponsor else None, parents.get(node.id))
