# This file is part of the MLM suite. See LICENSE for details.
"The precomputed downline statistics follow every change of the tree"
import io

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_network.downline_stats import refresh_downline_stats
from mlm_network.partner_import import import_partners

from .tools import (
    DatabaseTestCase, create_distributor, create_genealogy_managers, day)

HEADER = 'number,name,sponsor,join_date,status,tax_status,vat_id,iban\n'


class DownlineStatisticsTestCase(DatabaseTestCase):
    "Downline statistics"
    modules = ('mlm_network',)

    def counts(self, *distributors):
        "Return (members, active, inactive, terminated, applicants) each"
        Statistics = Pool().get('mlm.distributor.downline_statistics')
        counts = Statistics.counts([d.id for d in distributors])
        self.assertIsNotNone(counts)
        return [(sum(c.values()), c['active'], c['inactive'],
                c['terminated'], c['applicant'])
            for c in (counts[d.id] for d in distributors)]

    def assertNoDrift(self):
        "The full rebuild finds nothing to correct"
        self.assertEqual(refresh_downline_stats(), 0)

    @with_transaction()
    def test_join_status_move_termination_delete(self):
        "Joins, status changes, moves, terminations and deletions"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        with set_company(company):
            root = create_distributor("Root", status='active',
                join_date=day(300))
            anna = create_distributor("Anna", root, status='active',
                join_date=day(200))
            ben = create_distributor("Ben", anna, status='active')
            carla = create_distributor("Carla", ben, status='active')
            dora = create_distributor("Dora", anna)
            xena = create_distributor("Xena", root, status='active',
                join_date=day(200))
            self.assertEqual(self.counts(root, anna, ben, carla, xena), [
                    (5, 4, 0, 0, 1), (3, 2, 0, 0, 1), (1, 1, 0, 0, 0),
                    (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)])
            self.assertNoDrift()

            Distributor.set_status([carla], 'inactive', day(5))
            self.assertEqual(self.counts(root, anna, ben), [
                    (5, 3, 1, 0, 1), (3, 1, 1, 0, 1), (1, 0, 1, 0, 0)])

            Distributor.move_sponsor(
                ben, xena, day(3), "Test", gerda, hans)
            self.assertEqual(self.counts(root, anna, xena), [
                    (5, 3, 1, 0, 1), (1, 0, 0, 0, 1), (2, 1, 1, 0, 0)])
            self.assertNoDrift()

            # ben's downline rolls up to xena, the next active upline
            Distributor.set_status([ben], 'terminated', day(1))
            self.assertEqual(self.counts(root, xena, ben), [
                    (5, 2, 1, 1, 1), (2, 0, 1, 1, 0), (0, 0, 0, 0, 0)])
            self.assertEqual(carla.sponsor, xena)
            self.assertNoDrift()

            Distributor.delete([dora])
            self.assertEqual(self.counts(root, anna), [
                    (4, 2, 1, 1, 0), (0, 0, 0, 0, 0)])
            self.assertNoDrift()

    @with_transaction()
    def test_batch_create(self):
        "Partners created together below each other are counted once each"
        pool = Pool()
        Party = pool.get('party.party')
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        with set_company(company):
            root = create_distributor("Root", status='active')
            parties = Party.create([{'name': 'P%s' % i} for i in range(3)])
            first, = Distributor.create([{
                        'party': parties[0].id, 'sponsor': root.id,
                        'join_date': day(10), 'status': 'active'}])
            second, third = Distributor.create([{
                        'party': parties[1].id, 'sponsor': first.id,
                        'join_date': day(10)}, {
                        'party': parties[2].id, 'sponsor': first.id,
                        'join_date': day(10), 'status': 'active'}])
            self.assertEqual(self.counts(root, first), [
                    (3, 2, 0, 0, 1), (2, 1, 0, 0, 1)])
            self.assertNoDrift()

    @with_transaction()
    def test_import_refreshes(self):
        "A bulk import leaves the counts exact; a later refresh finds nothing"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        with set_company(company):
            root = create_distributor("Root", status='active',
                join_date=day(1000))
            report = import_partners(io.StringIO(
                    HEADER
                    + '900001,Anna,%s,2025-01-01,active,,,\n' % root.number
                    + '900002,Ben,900001,2025-02-01,inactive,,,\n'
                    + '900003,Carla,900002,2025-03-01,,,,\n'))
            self.assertEqual(report.errors, [])
            self.assertEqual(refresh_downline_stats(), 0)
            anna, = Distributor.search([('number', '=', '900001')])
            self.assertEqual(self.counts(root, anna), [
                    (3, 2, 1, 0, 0), (2, 1, 1, 0, 0)])

    @with_transaction()
    def test_refresh_repairs_drift(self):
        "The refresh rewrites a wrong row and only that one"
        pool = Pool()
        Statistics = pool.get('mlm.distributor.downline_statistics')
        company = create_company()
        with set_company(company):
            root = create_distributor("Root", status='active')
            anna = create_distributor("Anna", root, status='active')
            create_distributor("Ben", anna, status='active')
            table = Statistics.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.active_members], [7],
                    where=table.distributor == root.id))
            self.assertEqual(self.counts(root), [(7, 7, 0, 0, 0)])
            self.assertEqual(refresh_downline_stats([anna.id]), 0)
            self.assertEqual(refresh_downline_stats([root.id]), 1)
            self.assertEqual(self.counts(root), [(2, 2, 0, 0, 0)])
            cursor.execute(*table.update([table.active_members], [7],
                    where=table.distributor == root.id))
            self.assertEqual(refresh_downline_stats(), 1)
            self.assertEqual(self.counts(root), [(2, 2, 0, 0, 0)])
