# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import io
import zipfile
from decimal import Decimal

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from mlm_network.exceptions import (
    CustomerAssignmentError, MoveError, PlacementError, StatusError)
from mlm_network.partner_import import import_partners

from .tools import create_distributor, create_genealogy_managers, day

HEADER = 'number,name,sponsor,join_date,status,tax_status,vat_id,iban\n'


class NetworkTestCase(CompanyTestMixin, ModuleTestCase):
    "Test MLM Network module"
    module = 'mlm_network'

    @with_transaction()
    def test_groups_defined(self):
        "The suite's six groups exist under their XML ids"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Group = pool.get('res.group')
        names = {
            Group(ModelData.get_id('mlm_network', xml_id)).name
            for xml_id in [
                'group_mlm_admin', 'group_mlm_genealogy',
                'group_mlm_commission_clerk', 'group_mlm_commission_approver',
                'group_mlm_support', 'group_mlm_accounting']}
        self.assertEqual(names, {
                'MLM Administration', 'MLM Genealogy Manager',
                'MLM Commission Clerk', 'MLM Commission Approver',
                'MLM Support (read-only)', 'MLM Accounting'})

    @with_transaction()
    def test_configuration_default_sequence(self):
        "The partner number sequence defaults to the shipped sequence"
        pool = Pool()
        Configuration = pool.get('mlm.network.configuration')
        config = Configuration(1)
        self.assertEqual(config.partner_sequence.name, 'Distributor')
        self.assertEqual(config.partner_sequence.get(), '100001')
        self.assertEqual(config.move_window_days, 90)

    @with_transaction()
    def test_distributor_numbers_and_tree(self):
        "Numbers come from the sequence, path and depth follow the sponsor"
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            carla = create_distributor("Carla", ben)
            first = int(anna.number)
            self.assertEqual(
                [anna.number, ben.number, carla.number],
                [str(first), str(first + 1), str(first + 2)])
            self.assertEqual([anna.depth, ben.depth, carla.depth], [0, 1, 2])
            self.assertEqual(
                carla.path, '%s/%s/%s/' % (anna.id, ben.id, carla.id))
            self.assertEqual(carla.upline, [ben, anna])
            self.assertEqual(
                (anna.personally_sponsored, anna.downline_size,
                    anna.downline_depth), (1, 2, 2))
            self.assertEqual(
                [(e.kind, e.new_sponsor, e.new_status) for e in carla.events],
                [('sponsor', ben, None)])

    @with_transaction()
    def test_downline_domain_and_sql(self):
        "downline_domain and downline_sql return exactly the downline"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            carla = create_distributor("Carla", ben)
            eva = create_distributor("Eva", anna)
            other = create_distributor("Other")
            self.assertEqual(
                Distributor.search(Distributor.downline_domain(ben)),
                [carla])
            self.assertEqual(
                set(Distributor.search(
                        Distributor.downline_domain(anna))),
                {ben, carla, eva})
            self.assertEqual(
                set(Distributor.search(
                        Distributor.downline_domain(anna, True))),
                {anna, ben, carla, eva})
            self.assertEqual(
                Distributor.search(Distributor.downline_domain(other)), [])
            cursor = Transaction().connection.cursor()
            cursor.execute(*Distributor.downline_sql([ben.id, eva.id]))
            self.assertEqual({i for i, in cursor}, {carla.id})

    @with_transaction()
    def test_move_policy(self):
        "The move policy refuses each forbidden move with its message"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Configuration = pool.get('mlm.network.configuration')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            anna = create_distributor("Anna", join_date=day(200))
            ben = create_distributor("Ben", anna, join_date=day(60))
            carla = create_distributor("Carla", ben, join_date=day(60))
            eva = create_distributor("Eva", anna, join_date=day(60))

            def move(distributor, sponsor, date, requester=gerda,
                    approver=hans):
                return Distributor.move_sponsor(
                    distributor, sponsor, date, "Test", requester, approver)

            cases = [
                ((carla, eva, day(10), gerda, gerda), 'requester'),
                ((ben, carla, day(10)), 'own downline'),
                ((ben, ben, day(10)), 'own downline'),
                ((ben, eva, day(-1)), 'future'),
                ((ben, eva, day(61)), 'before the join date'),
                ((ben, anna, day(10)), 'already under'),
                ]
            for args, text in cases:
                with self.subTest(text=text):
                    with self.assertRaisesRegex(MoveError, text):
                        move(*args)
            with self.assertRaisesRegex(MoveError, 'Genealogy Manager'):
                move(carla, eva, day(10), gerda,
                    pool.get('res.user')(Transaction().user or 1))

            config = Configuration(1)
            config.move_window_days = 30
            config.closed_until = day(20)
            config.save()
            with self.assertRaisesRegex(MoveError, 'within 30 days'):
                move(carla, eva, day(10))
            config.move_window_days = None
            config.save()
            with self.assertRaisesRegex(MoveError, 'closed period'):
                move(carla, eva, day(20))
            move(carla, eva, day(19))
            config.closed_until = None
            config.save()
            with self.assertRaisesRegex(MoveError, 'last change'):
                move(carla, anna, day(25))
            self.assertEqual(carla.sponsor, eva)
            self.assertEqual(carla.sponsor_at(day(20)), ben)
            self.assertEqual(carla.sponsor_at(day(19)), eva)

    @with_transaction()
    def test_move_under_past_downline_refused(self):
        "A move is refused if it makes a cycle on any later date"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            carla = create_distributor("Carla", anna)
            # carla moves under ben 10 days ago
            Distributor.move_sponsor(
                carla, ben, day(10), "x", gerda, hans)
            # ben under carla from 20 days ago would create a cycle from
            # day 10 on
            with self.assertRaisesRegex(MoveError, 'own downline'):
                Distributor.move_sponsor(
                    ben, carla, day(20), "x", gerda, hans)
            self.assertEqual(ben.sponsor, anna)

    @with_transaction()
    def test_termination_rolls_up(self):
        "Termination moves the direct downline to the next active upline"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna", status='active')
            ben = create_distributor("Ben", anna)  # applicant, skipped
            carla = create_distributor("Carla", ben, status='active')
            dirk = create_distributor("Dirk", carla)
            eva = create_distributor("Eva", carla)
            events = Distributor.set_status(
                [carla], 'terminated', day(5), "Cancelled")
            self.assertEqual(
                [(e.kind, e.distributor) for e in events],
                [('status', carla), ('sponsor', dirk), ('sponsor', eva)])
            self.assertEqual(events[1].cause, events[0])
            self.assertEqual((dirk.sponsor, eva.sponsor), (anna, anna))
            self.assertEqual(dirk.depth, 1)
            self.assertEqual(dirk.upline_at(day(6)), [carla, ben, anna])
            self.assertEqual(dirk.upline_at(day(5)), [anna])
            self.assertEqual(carla.children, ())
            self.assertEqual(
                set(carla.downline_at(day(6))), {dirk, eva})
            self.assertEqual(carla.downline_at(day(5)), [])
            with self.assertRaisesRegex(StatusError, 'cannot change'):
                Distributor.set_status([carla], 'active', day(1))

    @with_transaction()
    def test_placement_rules(self):
        "Binary and matrix placement rules find the expected slots"
        pool = Pool()
        Structure = pool.get('mlm.structure')
        company = create_company()
        with set_company(company):
            binary, matrix = Structure.create([{
                        'name': "Binary", 'code': 'B', 'type': 'binary',
                        'width': 2, 'rule': 'sponsor_preference',
                        'auto_place': True,
                        }, {
                        'name': "Matrix", 'code': 'M', 'type': 'matrix',
                        'width': 3, 'rule': 'breadth_first',
                        'auto_place': True,
                        }])
            anna = create_distributor("Anna", placement_preference='right')
            recruits = [create_distributor("R%s" % i, anna)
                for i in range(5)]

            def slot(distributor, structure):
                placement, = [p for p in distributor.placements
                    if p.structure == structure]
                return (placement.parent.distributor.party.name
                    if placement.parent else None, placement.position)
            # sponsor prefers the outer right leg
            self.assertEqual(
                [slot(r, binary) for r in recruits],
                [('Anna', 1), ('R0', 1), ('R1', 1), ('R2', 1), ('R3', 1)])
            # breadth-first fills anna's three slots, then R0's
            self.assertEqual(
                [slot(r, matrix) for r in recruits],
                [('Anna', 0), ('Anna', 1), ('Anna', 2), ('R0', 0),
                    ('R0', 1)])
            anna_binary, = [p for p in anna.placements
                if p.structure == binary]
            # weaker leg: the left leg is empty, then outer left
            self.assertEqual(
                binary._find_slot(anna_binary, 'weaker_leg'),
                (anna_binary, 0))
            self.assertEqual(
                binary._find_slot(anna_binary, 'outer_left'),
                (anna_binary, 0))
            leaf = recruits[-1].placements[0]
            self.assertEqual(
                binary._find_slot(anna_binary, 'outer_right'),
                (leaf, 1))
            with self.assertRaises(PlacementError):
                binary.place(recruits[0])
            self.assertEqual(leaf.leg, 'right')
            self.assertEqual(
                leaf.upline_at(day(0)), list(reversed(
                        [anna_binary] + [r.placements[0]
                            for r in recruits[:-1]])))

    @with_transaction()
    def test_placement_move(self):
        "A placement moves with its subtree and keeps its history"
        pool = Pool()
        Structure = pool.get('mlm.structure')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            structure, = Structure.create([{
                        'name': "Binary", 'code': 'B', 'type': 'binary',
                        'width': 2, 'rule': 'outer_left',
                        'auto_place': True,
                        }])
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            carla = create_distributor("Carla", anna)
            root, = anna.placements
            ben_p, = ben.placements
            carla_p, = carla.placements
            self.assertEqual(carla_p.parent, ben_p)
            carla_p.move_to(root, 1, day(3), "Spillover", gerda, hans)
            self.assertEqual((carla_p.parent, carla_p.depth), (root, 1))
            self.assertEqual(carla_p.upline_at(day(4)), [ben_p, root])
            self.assertEqual(carla_p.upline_at(day(3)), [root])
            with self.assertRaises(MoveError):
                root.move_to(carla_p, 0, day(1), "Loop", gerda, hans)

    @with_transaction()
    def test_customer_assignment(self):
        "A customer belongs to one distributor at a time"
        pool = Pool()
        Assignment = pool.get('mlm.customer.assignment')
        Party = pool.get('party.party')
        Event = pool.get('mlm.genealogy.event')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna")
            ben = create_distributor("Ben", anna)
            customer, = Party.create([{'name': "Kunde"}])
            Assignment.assign(customer, anna, day(30), 'retail')
            Assignment.assign(customer, ben, day(10), 'preferred',
                reason="Moved to Ben's region")
            self.assertEqual(
                Assignment.distributor_for(customer, day(11)), anna)
            self.assertEqual(
                Assignment.distributor_for(customer, day(10)), ben)
            self.assertEqual(
                Assignment.distributor_for(customer, day(31)), None)
            self.assertEqual(customer.customer_of, ben)
            first, = Assignment.search([('distributor', '=', anna.id)])
            self.assertEqual(first.valid_to, day(11))
            events = Event.search([('kind', '=', 'customer')])
            self.assertEqual(
                [(e.distributor, e.old_distributor) for e in events],
                [(ben, anna), (anna, None)])
            with self.assertRaises(CustomerAssignmentError):
                Assignment.assign(customer, anna, day(12))
            with self.assertRaises(CustomerAssignmentError):
                Assignment.create([{
                            'customer': customer.id,
                            'distributor': anna.id,
                            'type': 'retail',
                            'valid_from': day(5),
                            }])

    @with_transaction()
    def test_rank_record_override(self):
        "The override wins over the computed rank and is signed"
        pool = Pool()
        Rank = pool.get('mlm.rank')
        Record = pool.get('mlm.rank.record')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna")
            bronze, silver, gold = Rank.create([
                    {'name': "Bronze", 'code': 'B', 'level': 1},
                    {'name': "Silver", 'code': 'S', 'level': 2},
                    {'name': "Gold", 'code': 'G', 'level': 3},
                    ])
            record, = Record.create([{
                        'distributor': anna.id,
                        'period_start': dt.date(2026, 1, 1),
                        'period_end': dt.date(2026, 1, 31),
                        'computed_rank': silver.id,
                        'pv': Decimal('120.00'), 'gv': Decimal('2500.00'),
                        }])
            self.assertEqual(
                (record.paid_as_rank, record.highest_rank), (silver, silver))
            with self.assertRaises(ValidationError):
                Record.write([record], {'override_rank': gold.id})
            Record.write([record], {
                    'override_rank': bronze.id,
                    'override_reason': "Compliance",
                    })
            self.assertEqual(
                (record.paid_as_rank, record.highest_rank), (bronze, silver))
            self.assertEqual(record.override_user.id, Transaction().user)
            self.assertEqual(
                (record.pv, record.gv, record.qualifying_gv,
                    record.qualified_legs),
                (Decimal('120.00'), Decimal('2500.00'), None, None))

    @with_transaction()
    def test_downline_report_and_export(self):
        "The downline list filters by level and the Excel export has levels"
        pool = Pool()
        Downline = pool.get('mlm.downline')
        Export = pool.get('mlm.downline.export', type='wizard')
        JoinMonth = pool.get('mlm.statistics.join_month')
        RankLevel = pool.get('mlm.statistics.rank_level')
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna", join_date=dt.date(2026, 1, 5))
            ben = create_distributor("Ben", anna, join_date=dt.date(2026, 2, 1))
            carla = create_distributor(
                "Carla", ben, join_date=dt.date(2026, 2, 2))
            with Transaction().set_context(distributor=anna.id):
                lines = Downline.search([])
                self.assertEqual(
                    [(l.member, l.level, l.join_month) for l in lines],
                    [(ben, 1, '2026-02'), (carla, 2, '2026-02')])
                self.assertEqual(
                    Downline.search([('level', '=', 2)]), [Downline(carla.id)])
            with Transaction().set_context(distributor=anna.id, max_level=1):
                self.assertEqual(
                    [l.member for l in Downline.search([])], [ben])
            self.assertEqual(
                [(s.month, s.partners) for s in JoinMonth.search([])],
                [('2026-02', 2), ('2026-01', 1)])
            self.assertEqual(
                [(s.level, s.rank, s.partners) for s in RankLevel.search([])],
                [(0, None, 1), (1, None, 1), (2, None, 1)])
            data = Export.export_xlsx(anna)
            with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
                sheet = xlsx.read('xl/worksheets/sheet1.xml').decode()
                strings = xlsx.read('xl/sharedStrings.xml').decode()
            self.assertEqual(sheet.count('<row '), 4)
            for text in ['Level', 'Anna', 'Ben', 'Carla', ben.number]:
                self.assertIn(text, strings)

    @with_transaction()
    def test_import_partners(self):
        "A valid file is imported set-based with paths and events"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Event = pool.get('mlm.genealogy.event')
        company = create_company()
        with set_company(company):
            report = import_partners(io.StringIO(
                    HEADER
                    + '900001,Anna,,2025-01-01,active,regular,,'
                    'DE89370400440532013000\n'
                    + '900003,Carla,900002,2025-03-01,,,,\n'
                    + '900002,Ben,900001,2025-02-01,active,reverse_charge,'
                    'DE136695976,\n'))
            self.assertEqual(report.errors, [])
            self.assertEqual(
                (report.created, report.roots, report.max_depth), (3, 1, 2))
            anna, = Distributor.search([('number', '=', '900001')])
            carla, = Distributor.search([('number', '=', '900003')])
            ben, = Distributor.search([('number', '=', '900002')])
            self.assertEqual(carla.upline, [ben, anna])
            self.assertEqual(carla.depth, 2)
            self.assertEqual(anna.bank_account.numbers[0].number,
                'DE89 3704 0044 0532 0130 00')
            self.assertEqual(ben.tax_identifier.code, 'DE136695976')
            self.assertEqual(carla.upline_at(dt.date(2025, 2, 15)), [])
            self.assertEqual(ben.downline_at(dt.date(2025, 3, 1)), [carla])
            self.assertEqual(len(Event.search([])), 3)
            new = create_distributor("Dora")
            self.assertEqual(new.number, '900004')

    @with_transaction()
    def test_import_broken_file(self):
        "A broken file writes nothing and lists every bad line"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        with set_company(company):
            existing = create_distributor("Existing")
            report = import_partners(io.StringIO(
                    HEADER
                    + '1,Anna,,2025-01-01,,,,\n'             # 2 ok
                    + '1,Anna Again,,2025-01-01,,,,\n'       # 3 duplicate
                    + '2,Ben,77,2025-01-01,,,,\n'            # 4 unknown
                    + '3,Carla,4,2025-01-01,,,,\n'           # 5 cycle
                    + '4,Dirk,3,2025-01-01,,,,\n'            # 6 cycle
                    + '5,Eva,1,2025-13-01,,,,\n'             # 7 bad date
                    + '6,Fritz,1,2025-01-01,,,,DE00123\n'    # 8 bad IBAN
                    + '%s,Gus,,2025-01-01,,,,\n' % existing.number  # 9
                    + '7,Hanna,,2025-01-01,retired,,,\n'     # 10 status
                    + '8,Ida,1,2024-12-31,,,,\n'             # 11 date
                    + ',,,,,,,\n'                           # 12 required
                    ))
            self.assertEqual([line for line, _ in report.errors],
                [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12])
            messages = dict(report.errors)
            self.assertEqual(messages[4],
                'Line 4: the sponsor 77 is unknown.')
            self.assertEqual(messages[8],
                'Line 8: "DE00123" is not a valid IBAN.')
            self.assertEqual(messages[5],
                'Line 5: partner 3 is part of a sponsor cycle.')
            self.assertEqual(Distributor.search([], count=True), 1)


del ModuleTestCase
