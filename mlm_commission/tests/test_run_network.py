# This file is part of the MLM suite. See LICENSE for details.
"""Runs read the binary and matrix placements as of the period end and the
rank-advancement history of the earlier periods (ADR 0048)."""
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from mlm_commission.exceptions import PeriodError
from mlm_network.tests.tools import (
    DatabaseTestCase, create_genealogy_managers)

from .tools import (
    calculate, create_partner, create_plan, create_product, create_ranks,
    post_invoice, setup_company)

D = Decimal
JULY, AUGUST, SEPTEMBER = (dt.date(2024, m, 1) for m in (7, 8, 9))

BINARY_PLAN = {
    'name': 'Binary 200:200',
    'currency': 'EUR',
    'versions': [{
            'id': 'b1',
            'valid_from': '2024-01-01',
            'ranks': [{'name': 'Member'}],
            'components': {
                'binary': {
                    'volume': 'cv',
                    'pairing': {'type': 'fixed', 'left': '200',
                        'right': '200'},
                    'cycle_value': '20.00',
                    },
                },
            }],
    }

MATRIX_PLAN = {
    'name': 'Matrix 2x2',
    'currency': 'EUR',
    'versions': [{
            'id': 'm1',
            'valid_from': '2024-01-01',
            'ranks': [{'name': 'Member'}],
            'components': {
                'matrix': {'volume': 'cv', 'width': 2,
                    'rates': ['0.10', '0.05']},
                },
            }],
    }

ADVANCEMENT_PLAN = {
    'name': 'Advancement',
    'currency': 'EUR',
    'versions': [{
            'id': 'a1',
            'valid_from': '2024-01-01',
            'career': 'highest',
            'ranks': [
                {'name': 'Bronze', 'min_pv': '100'},
                {'name': 'Silver', 'min_pv': '300'},
                ],
            'components': {
                'rank_advancement': {
                    'bonuses': {'Bronze': '50.00', 'Silver': '250.00'},
                    'hold_periods': 2,
                    },
                },
            }],
    }


def create_structure(type_, width=2):
    Structure = Pool().get('mlm.structure')
    structure, = Structure.create([{
                'name': type_.title(), 'code': type_.upper(),
                'type': type_, 'width': width, 'rule': 'outer_left',
                'auto_place': False,
                }])
    return structure


def place(structure, distributor, parent=None, position=None):
    "Place distributor below the placement parent (the root without)"
    return structure.place(distributor, parent=parent, position=position)


def buy(company, partner, product, quantity, date):
    post_invoice(company, partner.party, date, (product, quantity))


def component_lines(period, component):
    "Sorted (beneficiary, rank, amount) of the period's lines of component"
    Line = Pool().get('mlm.commission.line')
    return sorted((line.beneficiary.party.name, line.rank, line.amount)
        for line in Line.search([
                ('period', '=', period.id),
                ('component', '=', component),
                ]))


def carries(period):
    "{name: (carry left, carry right)} of the partners with a binary carry"
    Figure = Pool().get('mlm.commission.figure')
    return {f.distributor.party.name: (f.carry_left, f.carry_right)
        for f in Figure.search([('period', '=', period.id)])
        if f.carry_left or f.carry_right}


class RunNetworkTestCase(DatabaseTestCase):
    "Placements and rank-advancement history in commission runs"
    modules = ('mlm_commission',)

    def binary_network(self, company):
        """Top with A (left) and B (right); C (sponsor Top) spills over
        below A, D (sponsor A) below B, E (sponsor B) right of B.  The
        placements (and their events) are valid from the join date."""
        partners = {'Top': create_partner("Top")}
        for name, sponsor in [('A', 'Top'), ('B', 'Top'), ('C', 'Top'),
                ('D', 'A'), ('E', 'B')]:
            partners[name] = create_partner(name, partners[sponsor])
        structure = create_structure('binary')
        nodes = {'Top': place(structure, partners['Top'])}
        for name, parent, leg in [('A', 'Top', 0), ('B', 'Top', 1),
                ('C', 'A', 0), ('D', 'B', 0), ('E', 'B', 1)]:
            nodes[name] = place(
                structure, partners[name], nodes[parent], leg)
        return partners, nodes

    @with_transaction()
    def test_binary_uses_placements_at_period_end(self):
        "Binary cycles and carry on the placement tree of the period end"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        company = setup_company()
        requester, approver = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            create_ranks('Member')
            partners, nodes = self.binary_network(company)
            plan = create_plan(company, BINARY_PLAN)
            july = Period.create_for(plan, JULY)
            kit = create_product("Kit", '100', '100', '100')
            for name, quantity in [('A', 3), ('B', 1), ('C', 2), ('D', 1),
                    ('E', 4)]:
                buy(company, partners[name], kit, quantity,
                    dt.date(2024, 7, 10))
            # E moves right of A after the period end: July keeps E below B
            nodes['E'].move_to(nodes['A'], 1, dt.date(2024, 8, 10),
                "Balance A", requester, approver)

            run = calculate(july)

            # Top: left A+C = 500, right B+D+E = 600: 2 cycles of 20.00;
            # A: left C = 200, right empty; B: left D = 100, right E = 400
            self.assertEqual(component_lines(july, 'binary'),
                [('Top', 'Member', D('40.00'))])
            self.assertEqual(carries(july), {
                    'Top': (D('100.00'), D('200.00')),
                    'A': (D('200.00'), D('0.00')),
                    'B': (D('100.00'), D('400.00')),
                    })

            # a move inside July changes the inputs: D below C from July 20
            nodes['D'].move_to(nodes['C'], 0, dt.date(2024, 7, 20),
                "Spillover to C", requester, approver)
            again = calculate(Period(july.id))

            self.assertNotEqual(again.input_hash, run.input_hash)
            # Top: left A+C+D = 600, right B+E = 500: 2 cycles;
            # C: left D = 100; B: right E = 400
            self.assertEqual(component_lines(july, 'binary'),
                [('Top', 'Member', D('40.00'))])
            self.assertEqual(carries(july), {
                    'Top': (D('200.00'), D('100.00')),
                    'A': (D('300.00'), D('0.00')),
                    'B': (D('0.00'), D('400.00')),
                    'C': (D('100.00'), D('0.00')),
                    })

    @with_transaction()
    def test_matrix_uses_placements(self):
        "Matrix levels follow the stored matrix placements"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        company = setup_company()
        with set_company(company):
            create_ranks('Member')
            top = create_partner("Top")
            first = create_partner("First", top)
            second = create_partner("Second", top)
            buyer = create_partner("Buyer", top)
            structure = create_structure('matrix')
            root = place(structure, top)
            place(structure, first, root, 0)
            under_second = place(structure, second, root, 1)
            # spillover: the buyer is placed below Second, not Top's
            # breadth-first first free slot (below First)
            place(structure, buyer, under_second, 0)
            plan = create_plan(company, MATRIX_PLAN)
            july = Period.create_for(plan, JULY)
            kit = create_product("Kit", '100', '100', '100')
            buy(company, buyer, kit, 2, dt.date(2024, 7, 10))

            calculate(july)

            self.assertEqual(component_lines(july, 'matrix'), [
                    ('Second', 'Member', D('20.00')),
                    ('Top', 'Member', D('10.00')),
                    ])

    @with_transaction()
    def test_several_binary_structures_refused(self):
        "Two active binary structures: the run names them and stops"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        company = setup_company()
        with set_company(company):
            create_ranks('Member')
            create_partner("Top")
            create_structure('binary')
            Structure = pool.get('mlm.structure')
            Structure.create([{'name': 'Second', 'code': 'B2',
                        'type': 'binary', 'width': 2,
                        'rule': 'outer_left'}])
            plan = create_plan(company, BINARY_PLAN)
            july = Period.create_for(plan, JULY)

            with self.assertRaises(PeriodError) as error:
                calculate(july)
            self.assertEqual(error.exception.message,
                'The plan "Binary 200:200" pays a binary component but the '
                'company has several binary structures (Binary, Second): '
                'deactivate all but one.')

    @with_transaction()
    def test_rank_advancement_held_two_periods(self):
        "The bonus is paid once, in the second consecutive qualifying period"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        company = setup_company()
        with set_company(company):
            create_ranks('Bronze', 'Silver')
            top = create_partner("Top")
            steady = create_partner("Steady", top)
            dip = create_partner("Dip", top)
            late = create_partner("Late", top)
            plan = create_plan(company, ADVANCEMENT_PLAN)
            kit = create_product("Kit", '100', '100', '100')
            # kits bought per month: Silver from 3 kits, Bronze from 1
            bought = {
                JULY: [(steady, 3), (dip, 3)],
                AUGUST: [(steady, 3), (dip, 1), (late, 3)],
                SEPTEMBER: [(steady, 3), (dip, 3), (late, 3)],
                }
            periods = []
            for month, purchases in bought.items():
                period = Period.create_for(plan, month)
                for partner, quantity in purchases:
                    buy(company, partner, kit, quantity,
                        month + dt.timedelta(days=9))
                calculate(period)
                periods.append(Period(period.id))
            july, august, september = periods

            self.assertEqual(component_lines(july, 'rank_advancement'), [])
            # Steady: Bronze and Silver held July-August; Dip: Bronze
            # (Silver, then Bronze) held, Silver interrupted
            self.assertEqual(component_lines(august, 'rank_advancement'), [
                    ('Dip', 'Bronze', D('50.00')),
                    ('Steady', 'Bronze', D('50.00')),
                    ('Steady', 'Silver', D('250.00')),
                    ])
            # Late: August-September; Dip's Silver streak restarted in
            # September; Steady and Dip were paid already
            self.assertEqual(component_lines(september, 'rank_advancement'),
                [
                    ('Late', 'Bronze', D('50.00')),
                    ('Late', 'Silver', D('250.00')),
                    ])

            # a re-run of September pays the same, not again
            calculate(september)
            self.assertEqual(component_lines(september, 'rank_advancement'),
                [
                    ('Late', 'Bronze', D('50.00')),
                    ('Late', 'Silver', D('250.00')),
                    ])
