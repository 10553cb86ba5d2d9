# This file is part of the MLM suite. See LICENSE for details.
"""Placement trees as of a date, placement moves and their policy, the
party's MLM page.

The as-of answers are compared with a plain replay of the placement events,
for hand-made histories and for random ones (hypothesis)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from mlm_network import tree
from mlm_network.exceptions import MoveError, PlacementError

from .tools import (
    DatabaseTestCase, create_distributor, create_genealogy_managers, day)


def create_structure(type_='binary', width=2, rule='outer_left'):
    Structure = Pool().get('mlm.structure')
    structure, = Structure.create([{
                'name': type_.title(), 'code': type_[0].upper(),
                'type': type_, 'width': width, 'rule': rule,
                'auto_place': True,
                }])
    return structure


def placement_of(distributor, structure):
    Placement = Pool().get('mlm.placement')
    placement, = Placement.search([
            ('structure', '=', structure.id),
            ('distributor', '=', distributor.id),
            ])
    return placement


def placement_events():
    "The placement events as (id, node, date, old, new, old pos, new pos)"
    Event = Pool().get('mlm.genealogy.event')
    return [(e.id, e.placement.id, e.valid_from,
            e.old_parent.id if e.old_parent else None,
            e.new_parent.id if e.new_parent else None,
            e.old_position, e.new_position)
        for e in Event.search([('kind', '=', 'placement')])]


def replay_slots(events, date):
    "Return {node: (parent, position)} on date by replaying the events"
    slots = {}
    for _, node, _, _, new, _, position in sorted(
            (e for e in events if e[2] <= date), key=lambda e: (e[2], e[0])):
        slots[node] = (new, position)
    return slots


def snapshot():
    "The current placement tree and the number of events"
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT id, parent, position, path, depth '
        'FROM mlm_placement ORDER BY id')
    placements = cursor.fetchall()
    cursor.execute('SELECT COUNT(*) FROM mlm_genealogy_event')
    return placements, cursor.fetchone()


class ReplayChecks:
    "Compare the as-of answers with the replay of the placement events"

    def check_replay(self, placements):
        "The as-of answers equal the replay of the events on every date"
        events = placement_events()
        changes = {day(0)} | {e[2] for e in events}
        dates = changes | {d - (day(0) - day(1)) for d in changes}
        for date in sorted(dates):
            slots = replay_slots(events, date)
            uplines = {}
            for node in slots:
                upline, current = [], slots[node][0]
                while current is not None:
                    self.assertNotIn(current, upline, 'cycle on %s' % date)
                    upline.append(current)
                    current = slots[current][0]
                uplines[node] = upline
            taken = [(p, pos) for p, pos in slots.values() if p is not None]
            self.assertEqual(len(taken), len(set(taken)),
                'two placements in one slot on %s' % date)
            for placement in placements:
                parent, position = slots.get(placement.id, (None, None))
                self.assertEqual(
                    [u.id for u in placement.upline_at(date)],
                    uplines.get(placement.id, []), 'upline on %s' % date)
                found = placement.parent_at(date)
                self.assertEqual(found.id if found else None, parent)
                self.assertEqual(placement.position_at(date), position)
                if date in changes:
                    self.assertEqual(
                        [m.id for m in placement.downline_at(date)],
                        sorted(n for n, u in uplines.items()
                            if placement.id in u), 'downline on %s' % date)
                    self.assertEqual(
                        [(pos, child.id)
                            for pos, child in placement.children_at(date)],
                        sorted((pos, n) for n, (p, pos) in slots.items()
                            if p == placement.id), 'children on %s' % date)


class PlacementTestCase(ReplayChecks, DatabaseTestCase):
    "Placement as-of API, move policy and the party page"
    modules = ('mlm_network',)

    def build_binary(self):
        """Anna at the root, Ben, Carla, Dirk and Eva down the outer left leg
        (joining 60, 50, 40, 30 and 30 days ago)"""
        structure = create_structure()
        anna = create_distributor("Anna", join_date=day(60))
        names = ["Ben", "Carla", "Dirk", "Eva"]
        joins = [day(50), day(40), day(30), day(30)]
        others = [create_distributor(n, anna, join_date=j)
            for n, j in zip(names, joins)]
        return structure, [placement_of(d, structure)
            for d in [anna] + others]

    @with_transaction()
    def test_as_of_api(self):
        "parent, position, leg, children, upline and downline on a date"
        pool = Pool()
        Placement = pool.get('mlm.placement')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            structure, (a, b, c, d, e) = self.build_binary()
            self.assertEqual(e.upline, [d, c, b, a])
            d.move_to(a, 1, day(20), "Balance the legs", gerda, hans)
            c.move_to(d, 1, day(10), "Spillover", gerda, hans)

            self.assertEqual((c.parent, c.position, c.leg), (d, 1, 'right'))
            self.assertEqual(c.parent_at(day(11)), b)
            self.assertEqual(c.parent_at(day(10)), d)
            self.assertEqual(c.position_at(day(11)), 0)
            self.assertEqual(c.position_at(day(10)), 1)
            self.assertEqual(c.parent_at(day(41)), None)
            self.assertEqual(c.position_at(day(41)), None)
            self.assertFalse(c.placed_at(day(41)))
            self.assertTrue(c.placed_at(day(40)))
            self.assertEqual(a.parent_at(day(5)), None)
            self.assertEqual(a.position_at(day(5)), 0)
            self.assertEqual(a.leg_at(day(5)), None)
            self.assertEqual(d.leg_at(day(21)), 'left')
            self.assertEqual(d.leg_at(day(20)), 'right')

            self.assertEqual(e.upline_at(day(21)), [d, c, b, a])
            self.assertEqual(e.upline_at(day(20)), [d, a])
            self.assertEqual(c.upline_at(day(10)), [d, a])
            self.assertEqual(e.upline_at(day(31)), [])

            self.assertEqual(a.downline_at(day(61)), [])
            self.assertEqual(a.downline_at(day(45)), [b])
            self.assertEqual(a.downline_at(day(21)), [b, c, d, e])
            self.assertEqual(c.downline_at(day(21)), [d, e])
            self.assertEqual(c.downline_at(day(20)), [])
            self.assertEqual(d.downline_at(day(11)), [e])
            self.assertEqual(d.downline_at(day(10)), [c, e])
            self.assertEqual(b.downline_at(day(10)), [])
            self.assertEqual(b.downline_at(day(11)), [c])

            self.assertEqual(a.children_at(day(21)), [(0, b)])
            self.assertEqual(a.children_at(day(20)), [(0, b), (1, d)])
            self.assertEqual(d.children_at(day(10)), [(0, e), (1, c)])
            self.assertEqual(b.children_at(day(11)), [(0, c)])

            # the RPC variants return ids
            self.assertEqual(
                Placement.get_parent_at([c, a], day(11)), [b.id, None])
            self.assertEqual(
                Placement.get_position_at([c, d], day(21)), [0, 0])
            self.assertEqual(
                Placement.get_upline_at([e], day(20)), [[d.id, a.id]])
            self.assertEqual(
                Placement.get_downline_at([d], day(10)), [[c.id, e.id]])

            # every answer equals the replay of the events
            self.check_replay([a, b, c, d, e])

    @with_transaction()
    def test_move_policy(self):
        "Refused placement moves say why and change nothing"
        pool = Pool()
        Configuration = pool.get('mlm.network.configuration')
        User = pool.get('res.user')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        clerk, = User.create([{'name': "Clerk", 'login': 'clerk'}])
        with set_company(company):
            structure, (a, b, c, d, e) = self.build_binary()
            d.move_to(a, 1, day(20), "Balance the legs", gerda, hans)
            c.move_to(d, 1, day(10), "Spillover", gerda, hans)
            # a: b (left), d (right); d: e (left), c (right)
            refusals = [
                ((d, b, 0, day(5), gerda, gerda),
                    MoveError, 'different approver'),
                ((d, b, 0, day(5), gerda, clerk),
                    MoveError, 'not a Genealogy Manager'),
                ((a, e, 0, day(5), gerda, hans),
                    MoveError, 'in its own downline'),
                # Carla was below Ben until 10 days ago
                ((b, c, 0, day(12), gerda, hans),
                    MoveError, 'in its own downline'),
                ((e, a, 0, day(5), gerda, hans),
                    PlacementError, 'Position 0 below .*Anna.* is not free'),
                ((e, b, 2, day(5), gerda, hans),
                    PlacementError, 'between 0 and the width 2'),
                ((e, b, None, day(5), gerda, hans),
                    PlacementError, 'between 0 and the width 2'),
                ((b, a, 0, day(5), gerda, hans),
                    MoveError, 'already at this position'),
                # Ben's left leg is free now but Carla holds it until 10
                # days ago
                ((e, b, 0, day(15), gerda, hans),
                    PlacementError, 'is taken by .*Carla.* on'),
                ((e, b, 0, day(-1), gerda, hans),
                    MoveError, 'in the future'),
                ((d, b, 0, day(25), gerda, hans),
                    MoveError, 'before its last change'),
                ]
            for (node, parent, position, date, requester, approver), error, \
                    pattern in refusals:
                before = snapshot()
                with self.subTest(node=node.rec_name, date=date):
                    with self.assertRaisesRegex(error, pattern):
                        node.move_to(parent, position, date, "Test",
                            requester, approver)
                    self.assertEqual(snapshot(), before)

            config = Configuration(1)
            config.closed_until = day(8)
            config.save()
            with self.assertRaisesRegex(MoveError, 'closed period'):
                e.move_to(b, 0, day(8), "Closed", gerda, hans)

            # a partner placed 5 days ago was not there 7 days ago
            frank = placement_of(
                create_distributor("Frank", join_date=day(5),
                    sponsor=b.distributor), structure)
            self.assertEqual(frank.parent, b)
            with self.assertRaisesRegex(MoveError, 'not placed yet'):
                e.move_to(frank, 0, day(7), "Too early", gerda, hans)
            event = e.move_to(frank, 1, day(5), "Below Frank", gerda, hans)
            self.assertEqual(
                (event.old_parent, event.old_position, event.new_parent,
                    event.new_position, event.valid_from, event.requester,
                    event.approver),
                (d, 0, frank, 1, day(5), gerda, hans))
            self.assertEqual(
                (e.parent, e.position, e.depth), (frank, 1, 3))
            self.assertEqual(e.upline_at(day(6)), [d, a])
            self.assertEqual(e.upline_at(day(5)), [frank, b, a])
            self.check_replay([a, b, c, d, e, frank])

    @with_transaction()
    def test_backdated_join_waits_for_the_slot(self):
        "A partner joining in the past takes a slot from when it was free"
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            structure, (a, b, c, d, e) = self.build_binary()
            d.move_to(a, 1, day(20), "Balance the legs", gerda, hans)
            # Carla's left leg was Dirk's until 20 days ago
            gina = placement_of(create_distributor(
                    "Gina", c.distributor, join_date=day(25)), structure)
            self.assertEqual((gina.parent, gina.position), (c, 0))
            self.assertFalse(gina.placed_at(day(21)))
            self.assertEqual(gina.position_at(day(20)), 0)
            self.assertEqual(c.children_at(day(21)), [(0, d)])
            self.assertEqual(c.children_at(day(20)), [(0, gina)])
            self.check_replay([a, b, c, d, e, gina])

    @with_transaction()
    def test_matrix_width(self):
        "A forced matrix accepts positions 0 to width - 1"
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            structure = create_structure('matrix', 3, 'breadth_first')
            anna = create_distributor("Anna", join_date=day(60))
            recruits = [create_distributor("R%s" % i, anna,
                    join_date=day(50)) for i in range(4)]
            root = placement_of(anna, structure)
            r0, r1, r2, r3 = [placement_of(r, structure) for r in recruits]
            self.assertEqual(
                [(p.parent, p.position) for p in [r0, r1, r2, r3]],
                [(root, 0), (root, 1), (root, 2), (r0, 0)])
            with self.assertRaisesRegex(
                    PlacementError, 'between 0 and the width 3'):
                r3.move_to(r1, 3, day(5), "Too wide", gerda, hans)
            r3.move_to(r1, 2, day(5), "Fill", gerda, hans)
            self.assertEqual(r3.leg, None)
            self.assertEqual(r1.children_at(day(5)), [(2, r3)])
            self.assertEqual(r1.children_at(day(6)), [])

    @with_transaction()
    def test_access(self):
        "Only Genealogy Managers and Administration run the move wizard"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action')
        Button = pool.get('ir.model.button')
        action = Action(ModelData.get_id(
                'mlm_network', 'wizard_placement_move'))
        self.assertEqual(
            {ModelData.get_id('mlm_network', 'group_mlm_genealogy'),
                ModelData.get_id('mlm_network', 'group_mlm_admin')},
            {g.id for g in action.groups})
        button = Button(ModelData.get_id(
                'mlm_network', 'placement_move_button'))
        self.assertEqual(
            [g.id for g in button.groups],
            [ModelData.get_id('mlm_network', 'group_mlm_genealogy')])

    @with_transaction()
    def test_party_page(self):
        "The party shows its distributor, protector and assignment history"
        pool = Pool()
        Assignment = pool.get('mlm.customer.assignment')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            customer, = Party.create([{'name': "Kunde"}])
            self.assertEqual(
                (customer.distributor, customer.customer_of,
                    customer.customer_assignments), (None, None, ()))
            Assignment.assign(customer, anna, day(30), 'retail')
            Assignment.assign(customer, ben, day(10), 'preferred')
            customer = Party(customer.id)
            self.assertEqual(customer.customer_of, ben)
            self.assertEqual(
                [(a.distributor, a.type, a.valid_from, a.valid_to)
                    for a in customer.customer_assignments],
                [(ben, 'preferred', day(10), None),
                    (anna, 'retail', day(30), day(11))])
            self.assertEqual(Party(anna.party.id).distributor, anna)
            self.assertEqual(customer.distributor, None)
        # without a company the party has no MLM values
        customer = Party(customer.id)
        self.assertEqual((customer.distributor, customer.customer_of),
            (None, None))


SIZE = 6
HORIZON = 120
operations = st.lists(st.tuples(
        st.integers(0, SIZE - 1),
        st.integers(0, SIZE - 1),
        st.integers(0, 2),
        st.integers(0, HORIZON),
        ), max_size=8)


class PlacementPropertyTestCase(ReplayChecks, DatabaseTestCase):
    "Random placement move histories equal the replay of their events"
    modules = ('mlm_network',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the two managers are committed once: creating users is slow
        with Transaction().start(DB_NAME, 0) as transaction:
            User = Pool().get('res.user')
            if not User.search([('login', '=', 'placement_requester')]):
                create_genealogy_managers(
                    'placement_requester', 'placement_approver')
                transaction.commit()

    @settings(max_examples=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow])
    @given(ops=operations, width=st.sampled_from([2, 3]))
    def test_random_histories(self, ops, width):
        self.check_history(ops, width)

    @with_transaction()
    def check_history(self, ops, width):
        pool = Pool()
        User = pool.get('res.user')
        company = create_company()
        gerda, = User.search([('login', '=', 'placement_requester')])
        hans, = User.search([('login', '=', 'placement_approver')])
        with set_company(company):
            structure = create_structure(
                'matrix', width, 'breadth_first')
            distributors = [create_distributor("P0", join_date=day(HORIZON))]
            for index in range(1, SIZE):
                distributors.append(create_distributor(
                        'P%s' % index, distributors[0],
                        join_date=day(HORIZON - 5 * index)))
            nodes = [placement_of(d, structure) for d in distributors]
            for node, target, position, days in ops:
                node, target = nodes[node], nodes[target]
                before = snapshot()
                try:
                    node.move_to(target, position, day(days), "Random",
                        gerda, hans)
                except (MoveError, PlacementError) as exception:
                    self.assertTrue(exception.message)
                    self.assertEqual(snapshot(), before)
            for node in nodes:
                expected = (node.parent.path if node.parent else '') + (
                    '%s/' % node.id)
                self.assertEqual(node.path, expected)
                self.assertEqual(node.depth, len(tree.path_ids(expected)) - 1)
            self.check_replay(nodes)
