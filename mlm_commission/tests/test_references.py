# This file is part of the MLM suite. See LICENSE for details.
"""The run-written tables have no foreign keys (ADR 0049): deletion guards
and ``mlm verify``'s search for dangling references stand in for them."""
import datetime as dt
from decimal import Decimal

from trytond import backend
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_commission.exceptions import LineImmutableError
from mlm_network.exceptions import GenealogyAccessError
from mlm_network.references import dangling_references, unchecked_models
from mlm_network.tests.tools import DatabaseTestCase

from .tools import (
    calculate, create_partner, create_plan, create_product, create_ranks,
    post_invoice, setup_company)

JULY = dt.date(2024, 7, 1)
UNCHECKED = {
    'mlm_commission_line': {'company', 'period', 'run', 'beneficiary',
        'source_distributor', 'source_volume', 'origin_period', 'reverses',
        'reverses_period'},
    'mlm_commission_period_entry': {
        'period', 'run', 'volume', 'origin_period'},
    'mlm_commission_figure': {'period', 'distributor'},
    'mlm_rank_record': {'company', 'distributor', 'computed_rank',
        'override_rank', 'override_user', 'paid_as_rank', 'highest_rank'},
    }


class ReferencesTestCase(DatabaseTestCase):
    "Unchecked references of the run-written tables"
    modules = ('mlm_commission',)

    def calculated_july(self):
        "Top sponsors Seller who sells in July; return (period, top, seller)"
        Period = Pool().get('mlm.commission.period')
        company = setup_company()
        with set_company(company):
            create_ranks('Consultant', 'Manager')
            top = create_partner("Top")
            seller = create_partner("Seller", top)
            plan = create_plan(company)
            july = Period.create_for(plan, JULY)
            kit = create_product("Kit", '100', '100', '100')
            post_invoice(company, seller.party, dt.date(2024, 7, 3), (kit, 1))
            calculate(july)
        return july, top, seller

    @with_transaction()
    def test_no_foreign_keys(self):
        "Only the unchecked columns lose their constraint"
        if backend.name != 'postgresql':
            self.skipTest("foreign keys are PostgreSQL's")
        cursor = Transaction().connection.cursor()
        for table, columns in UNCHECKED.items():
            cursor.execute(
                "SELECT a.attname FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid "
                "AND a.attnum = ANY (c.conkey) "
                "WHERE c.contype = 'f' AND c.conrelid = %s::regclass",
                (table,))
            self.assertFalse({c for c, in cursor} & columns, table)
        # the other tables keep theirs
        cursor.execute(
            "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = 'mlm_commission_volume'::regclass")
        self.assertGreaterEqual(cursor.fetchone()[0], 5)

    @with_transaction()
    def test_deletion_guards(self):
        "Runs, ranks and distributors named by run rows are not deleted"
        pool = Pool()
        Run = pool.get('mlm.commission.run')
        Rank = pool.get('mlm.rank')
        Distributor = pool.get('mlm.distributor')
        july, top, seller = self.calculated_july()
        run, = Run.search([('period', '=', july.id)])
        with self.assertRaises(LineImmutableError):
            Run.delete([run])
        consultant, manager = Rank.search([], order=[('level', 'ASC')])
        with self.assertRaisesRegex(GenealogyAccessError, 'Consultant'):
            Rank.delete([consultant])
        Rank.delete([manager])  # no record names it
        # an applicant without children passes the genealogy's own check
        distributor = Distributor.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*distributor.update([distributor.status], ['applicant'],
                where=distributor.id == top.id))
        cursor.execute(*distributor.update([distributor.sponsor], [None],
                where=distributor.id == seller.id))
        with self.assertRaisesRegex(AccessError, 'Top'):
            Distributor.delete([Distributor(top.id)])

    @with_transaction()
    def test_dangling_references(self):
        "A reference to a missing row is found with its column and row"
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        Figure = pool.get('mlm.commission.figure')
        july, top, seller = self.calculated_july()
        self.assertEqual(dangling_references(Line), [])
        self.assertEqual(dangling_references(Figure), [])
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(line.id, where=line.period == july.id,
                order_by=[line.id.asc], limit=1))
        first, = cursor.fetchone()
        cursor.execute(*line.update([line.beneficiary, line.source_volume],
                [987654, 876543], where=line.id == first))
        self.assertEqual(dangling_references(Line), [
                ('beneficiary', first, 987654),
                ('source_volume', first, 876543)])

    @with_transaction()
    def test_verified_models(self):
        "mlm verify searches every model without foreign keys"
        self.assertEqual(
            {Model._table for Model in unchecked_models(Pool())},
            set(UNCHECKED))

    @with_transaction()
    def test_dangling_rank_references(self):
        "A rank record naming a missing rank is found"
        RankRecord = Pool().get('mlm.rank.record')
        july, top, seller = self.calculated_july()
        self.assertEqual(dangling_references(RankRecord), [])
        record, = RankRecord.search([
                ('distributor', '=', seller.id), ('period_start', '=', JULY)])
        table = RankRecord.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.override_rank], [987654],
                where=table.id == record.id))
        self.assertEqual(dangling_references(RankRecord), [
                ('override_rank', record.id, 987654)])

    @with_transaction()
    def test_rank_record_snapshot(self):
        "The run's rank records hold the figures that qualified them"
        RankRecord = Pool().get('mlm.rank.record')
        july, top, seller = self.calculated_july()
        snapshots = {r.distributor.party.name: (
                r.computed_rank.code if r.computed_rank else None,
                r.pv, r.gv, r.qualifying_gv, r.qualified_legs)
            for r in RankRecord.search([('period_start', '=', JULY)])}
        # Seller works towards Manager, Top towards Consultant
        self.assertEqual(snapshots, {
                'Seller': ('Consultant', Decimal('100.00'),
                    Decimal('100.00'), Decimal('100.00'), 0),
                'Top': (None, Decimal('0.00'), Decimal('100.00'),
                    Decimal('100.00'), 0),
                })
