# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import json
import unittest
from decimal import Decimal
from pathlib import Path


from trytond import backend
from trytond.modules.company.tests import CompanyTestMixin, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from mlm_network.tests.tools import DatabaseTestCase

from mlm_commission.exceptions import (
    ApprovalError, LineImmutableError, PeriodClosedError, PlanError,
    PlanVersionLockedError, VolumeImmutableError)

from .tools import (
    C1_PLAN, add_identifier, amounts, calculate, create_customer,
    create_partner, create_plan, create_product, create_ranks,
    credit_invoice, override_rank, post_invoice, post_volume_on,
    setup_company, setup_settlement)

D = Decimal
JULY = (dt.date(2024, 7, 1), dt.date(2024, 7, 31))
AUGUST = (dt.date(2024, 8, 1), dt.date(2024, 8, 31))


def create_users(*logins):
    "Users of the Commission Clerk and Approver groups"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = [ModelData.get_id('mlm_network', g) for g in [
            'group_mlm_commission_clerk', 'group_mlm_commission_approver']]
    return User.create([{
                'name': login.title(), 'login': login,
                'groups': [('add', groups)],
                } for login in logins])


class CommissionTestCase(CompanyTestMixin, ModuleTestCase):
    "Test mlm_commission module"
    module = 'mlm_commission'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.commission.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.period_length, 'month')
        self.assertEqual(configuration.late_payment_cutoff_days, 5)
        self.assertEqual(configuration.clawback_window_months, 12)

    @with_transaction()
    def test_plan_versions(self):
        "Plans import and export the simulator format; only drafts change"
        pool = Pool()
        Plan = pool.get('mlm.commission.plan')
        Version = pool.get('mlm.commission.plan.version')
        company = setup_company()
        with set_company(company):
            plan = Plan.import_document(json.dumps(C1_PLAN))
            version, = plan.versions
            self.assertEqual(
                (version.code, version.valid_from, version.state),
                ('c1', dt.date(2024, 1, 1), 'draft'))
            self.assertEqual(json.loads(plan.export_document()), C1_PLAN)
            # drafts are editable, validated by the engine
            version.document = version.document.replace('0.08', '0.09')
            version.save()
            bad = json.loads(version.document)
            bad['components']['stairstep']['rates']['Manager'] = '0.01'
            version.document = json.dumps(bad)
            with self.assertRaises(PlanError) as error:
                version.save()
            self.assertIn('must not decrease', str(error.exception))
            with self.assertRaises(PlanError):
                Plan.import_document('{"name": "x", "versions": []}')
            # the failed write is rolled back by the request; restore here
            bad['components']['stairstep']['rates']['Manager'] = '0.08'
            version.document = json.dumps(bad)
            version.save()
            Version.activate([Version(version.id)])
            version = Version(version.id)
            self.assertEqual(version.state, 'active')
            with self.assertRaises(PlanVersionLockedError):
                Version.write([version], {'code': 'c2'})
            with self.assertRaises(PlanVersionLockedError):
                Version.delete([version])
            # a new version supersedes the active one
            second = dict(C1_PLAN['versions'][0], id='c2',
                valid_from='2024-08-01')
            Plan.import_document({
                    'name': plan.name, 'currency': 'EUR',
                    'versions': [second]}, plan=plan)
            draft, = Version.search([('code', '=', 'c2')])
            Version.activate([draft])
            self.assertEqual(
                [(v.code, v.state) for v in Plan(plan.id).versions],
                [('c2', 'active'), ('c1', 'superseded')])
            plan_set = Plan(plan.id).plan_set()
            self.assertEqual(
                plan_set.version_at(dt.date(2024, 7, 31)).id, 'c1')
            self.assertEqual(
                plan_set.version_at(dt.date(2024, 8, 1)).id, 'c2')

    @with_transaction()
    def test_volume_entries(self):
        "Posted invoice lines write immutable entries, credits reverse them"
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        Invoice = pool.get('account.invoice')
        company = setup_company()
        with set_company(company):
            anna = create_partner("Anna")
            carl = create_customer("Carl", anna)
            stranger, = pool.get('party.party').create([{
                        'name': "Stranger",
                        'addresses': [('create', [{}])]}])
            kit = create_product("Kit", '30', '25', '40')
            plain = create_product("Plain", '0', '0', '10')
            own = post_invoice(company, anna.party, dt.date(2024, 7, 3),
                (kit, 2), (plain, 1))
            customer = post_invoice(company, carl, dt.date(2024, 7, 4),
                (kit, 3))
            post_invoice(company, stranger, dt.date(2024, 7, 5), (kit, 1))
            entries = Volume.search([], order=[('id', 'ASC')])
            self.assertEqual(
                [(e.kind, e.distributor, e.customer_order, e.pv, e.cv,
                        e.amount, e.order_date) for e in entries],
                [('order', anna, False, D('60.00'), D('50.00'),
                        D('80.00'), dt.date(2024, 7, 3)),
                    ('order', anna, True, D('90.00'), D('75.00'),
                        D('120.00'), dt.date(2024, 7, 4))])
            # a partial credit note reverses proportionally
            credit_invoice(customer, dt.date(2024, 8, 2), [1])
            # cancelling the posted own order reverses it completely
            Invoice.cancel([own])
            returns = Volume.search(
                [('kind', '=', 'return')], order=[('id', 'ASC')])
            self.assertEqual(
                [(e.order, e.pv, e.cv, e.amount, e.order_date)
                    for e in returns],
                [(entries[1], D('-30.00'), D('-25.00'), D('-40.00'),
                        dt.date(2024, 7, 4)),
                    (entries[0], D('-60.00'), D('-50.00'), D('-80.00'),
                        dt.date(2024, 7, 3))])
            with self.assertRaises(VolumeImmutableError):
                Volume.write(entries, {'pv': D(0)})
            with self.assertRaises(VolumeImmutableError):
                Volume.delete(entries)

    def c1_setup(self, company, plan_document=C1_PLAN):
        "The C1 oracle network: U (Manager by override) sponsors E"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        consultant, manager = create_ranks('Consultant', 'Manager')
        u = create_partner("U")
        e = create_partner("E", u)
        customer = create_customer("Customer of E", e)
        product = create_product("Product", '1000', '1000', '1000')
        plan = create_plan(company, plan_document)
        july = Period.create_for(plan, JULY[0])
        august = Period.create_for(plan, AUGUST[0])
        override_rank(u, manager, *JULY)
        override_rank(u, manager, *AUGUST)
        return u, e, customer, product, plan, july, august

    @unittest.skipUnless(backend.name == 'postgresql', 'partitions')
    @with_transaction()
    def test_run_replaces_the_partitions_of_its_period(self):
        "Lines, figures and rank records of a run: one partition per period"
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        RankRecord = pool.get('mlm.rank.record')
        cursor = Transaction().connection.cursor()

        def rows(table):
            cursor.execute('SELECT tableoid::regclass::text, COUNT(*) '
                'FROM "%s" GROUP BY 1 ORDER BY 1' % table)
            return cursor.fetchall()

        company = setup_company()
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company))
            # another company's record of the same period start stays
            cursor.execute('INSERT INTO mlm_rank_record (company, '
                'distributor, period_start, period_end) VALUES '
                "(%s, %s, '2024-07-01', '2024-07-31') RETURNING id",
                (company.id + 1000, e.id + 1000))
            other, = cursor.fetchone()
            post_invoice(
                company, customer, dt.date(2024, 7, 15), (product, 1))
            calculate(july)
            of_july = [('period', '=', july.id)]
            first = [line.id for line in Line.search(of_july)]
            calculate(july)

            p = july.id
            self.assertEqual(rows('mlm_commission_line'),
                [('mlm_commission_line_p%s' % p, 2)])
            self.assertEqual(rows('mlm_commission_figure'),
                [('mlm_commission_figure_p%s' % p, 2)])
            # August's override, written by hand, waits in the default
            self.assertEqual(rows('mlm_rank_record'), [
                    ('mlm_rank_record_default', 1),
                    ('mlm_rank_record_p20240701', 3)])
            again = [line.id for line in Line.search(of_july)]
            self.assertEqual(len(set(first) | set(again)), 4)
            self.assertEqual(
                [(r.distributor.party.name,
                        r.override_rank and r.override_rank.code)
                    for r in RankRecord.search([
                            ('company', '=', company.id),
                            ('period_start', '=', JULY[0]),
                            ], order=[('id', 'ASC')])],
                [('U', 'Manager'), ('E', None)])
            cursor.execute('SELECT company FROM mlm_rank_record '
                'WHERE id = %s', (other,))
            self.assertEqual(cursor.fetchone(), (company.id + 1000,))

    @with_transaction()
    def test_c1_clawback_approval_closing(self):
        "Oracle C1 end to end: runs, four eyes, closing chain, clawback"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Line = pool.get('mlm.commission.line')
        Figure = pool.get('mlm.commission.figure')
        RankRecord = pool.get('mlm.rank.record')
        company = setup_company()
        clerk, approver = create_users('clerk', 'approver')
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company))
            self.assertEqual(
                (july.name, july.cutoff_date), ('2024-07', dt.date(2024, 8, 5)))
            jul_order = post_invoice(
                company, customer, dt.date(2024, 7, 15), (product, 1))
            with Transaction().set_user(clerk.id):
                run = calculate(july)
            self.assertEqual(amounts(july), {
                    ('E', 'commission', False): D('50.00'),
                    ('U', 'commission', False): D('30.00')})
            self.assertEqual((run.line_count, run.total), (2, D('80.00')))
            july = Period(july.id)
            self.assertEqual(july.state, 'calculated')
            self.assertEqual(july.output_hash, run.output_hash)
            # a re-run of the open period gives identical lines
            again = calculate(july)
            self.assertEqual(
                (again.input_hash, again.output_hash),
                (run.input_hash, run.output_hash))
            self.assertEqual(Line.search([('period', '=', july.id)],
                    count=True), 2)
            # four eyes: the clerk may not approve his own run
            july = Period(july.id)
            with Transaction().set_user(approver.id):
                # the re-run was made by admin: recalculate as the clerk
                pass
            with Transaction().set_user(clerk.id):
                calculate(july)
                with self.assertRaises(ApprovalError):
                    Period.approve([Period(july.id)])
            with Transaction().set_user(approver.id):
                Period.approve([Period(july.id)])
                Period.close([Period(july.id)])
            july = Period(july.id)
            self.assertEqual(
                (july.state, july.approved_by, july.closed_by),
                ('closed', approver, approver))
            self.assertEqual(len(july.closing_hash), 64)
            with self.assertRaises(PeriodClosedError):
                Period.write([july], {'name': 'changed'})
            with self.assertRaises(LineImmutableError):
                Line.write(list(july.lines), {'amount': D(1)})
            with self.assertRaises(LineImmutableError):
                Line.delete(list(july.lines))
            # what-if: a draft version on the closed period's inputs
            Version = pool.get('mlm.commission.plan.version')
            document = json.loads(json.dumps(C1_PLAN['versions'][0]))
            document['id'] = 'c1-draft'
            document['components']['stairstep']['rates'] = {
                'Consultant': '0.06', 'Manager': '0.10'}
            draft, = Version.create([{'plan': plan.id, 'code': 'c1-draft',
                        'valid_from': dt.date(2024, 1, 1),
                        'document': json.dumps(document)}])
            partners, total = july.what_if(draft)
            self.assertEqual(partners, {
                    u.id: (D('30.00'), D('40.00'), D('10.00')),
                    e.id: (D('50.00'), D('60.00'), D('10.00'))})
            self.assertEqual(total, (D('80.00'), D('100.00'), D('20.00')))
            self.assertEqual(amounts(july), {
                    ('E', 'commission', False): D('50.00'),
                    ('U', 'commission', False): D('30.00')})

            # August: the July order is returned, E buys 1,500
            big = create_product("Big", '1500', '1500', '1500')
            post_invoice(company, e.party, dt.date(2024, 8, 3), (big, 1))
            credit_invoice(jul_order, dt.date(2024, 8, 10))
            run = calculate(august)
            self.assertEqual(amounts(august), {
                    ('E', 'commission', False): D('75.00'),
                    ('U', 'commission', False): D('45.00'),
                    ('E', 'clawback', False): D('-50.00'),
                    ('U', 'clawback', False): D('-30.00')})
            clawbacks = Line.search([
                    ('period', '=', august.id), ('kind', '=', 'clawback')])
            for line in clawbacks:
                self.assertEqual(line.reverses.period, july)
                self.assertEqual(line.reverses_period, july)
                self.assertEqual(line.amount, -line.reverses.amount)
                self.assertEqual(line.origin_period, july)
            # volumes are reduced in August, July is untouched
            # the override counts as the highest rank reached, on the
            # figures as on the rank records
            figures = {(f.period.name, f.distributor.party.name):
                (f.pv, f.gv, f.paid_as_rank, f.highest_rank)
                for f in Figure.search([])}
            self.assertEqual(figures, {
                    ('2024-07', 'U'): (D('0.00'), D('1000.00'), 'Manager',
                        'Manager'),
                    ('2024-07', 'E'): (D('1000.00'), D('1000.00'),
                        'Consultant', 'Consultant'),
                    ('2024-08', 'U'): (D('0.00'), D('500.00'), 'Manager',
                        'Manager'),
                    ('2024-08', 'E'): (D('500.00'), D('500.00'),
                        'Consultant', 'Consultant'),
                    })
            self.assertEqual(amounts(july), {
                    ('E', 'commission', False): D('50.00'),
                    ('U', 'commission', False): D('30.00')})
            records = RankRecord.search([('distributor', '=', u.id)])
            self.assertEqual(
                [(r.period_start, r.paid_as_rank.code, r.override_rank.code,
                        r.highest_rank.code) for r in records],
                [(AUGUST[0], 'Manager', 'Manager', 'Manager'),
                    (JULY[0], 'Manager', 'Manager', 'Manager')])

            # the chain verifies until a closed line is changed in the DB
            self.assertIsNone(Period.verify_chain())
            with Transaction().set_user(clerk.id):
                calculate(august)
            with Transaction().set_user(approver.id):
                Period.approve([Period(august.id)])
                Period.close([Period(august.id)])
            august = Period(august.id)
            self.assertEqual(august.previous_closing_hash, july.closing_hash)
            self.assertIsNone(Period.verify_chain())
            line = Line.__table__()
            cursor = Transaction().connection.cursor()
            changed, = Line.search([('period', '=', july.id),
                    ('beneficiary', '=', u.id)])
            cursor.execute(*line.update([line.amount], [D('31.00')],
                    where=line.id == changed.id))
            self.assertEqual(Period.verify_chain(), july)

    @with_transaction()
    def test_partial_returns_and_window(self):
        "Thirds of a commission are clawed back with cumulative rounding"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Configuration = pool.get('mlm.commission.configuration')
        company = setup_company()
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company))
            sept = Period.create_for(plan, dt.date(2024, 9, 1))
            october = Period.create_for(plan, dt.date(2024, 10, 1))
            three = create_product("Three", '333.33', '333.33', '100')
            order = post_invoice(
                company, customer, dt.date(2024, 7, 15), (three, 3))
            calculate(july)
            self.assertEqual(amounts(july), {
                    ('E', 'commission', False): D('50.00'),
                    ('U', 'commission', False): D('30.00')})
            credit_invoice(order, dt.date(2024, 8, 10), [1])
            calculate(august)
            credit_invoice(order, dt.date(2024, 9, 10), [1])
            calculate(sept)
            self.assertEqual(
                [amounts(p)[('E', 'clawback', False)] for p in [august, sept]],
                [D('-16.67'), D('-16.66')])
            # outside the liability window nothing is clawed back
            config = Configuration(1)
            config.clawback_window_months = 2
            config.save()
            credit_invoice(order, dt.date(2024, 10, 10), [1])
            calculate(october)
            self.assertEqual(amounts(october), {})

    @with_transaction()
    def test_late_order_historized_and_crash(self):
        "A late order is paid at its order period's ranks; crashes leave nothing"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Line = pool.get('mlm.commission.line')
        Invoice = pool.get('account.invoice')
        company = setup_company()
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company))
            RankRecord = pool.get('mlm.rank.record')
            # U is Manager only in July
            RankRecord.delete(RankRecord.search([
                        ('period_start', '=', AUGUST[0])]))
            post_invoice(company, customer, dt.date(2024, 7, 15),
                (product, 1))
            calculate(july)
            Period.write([Period(july.id)], {'state': 'closed'})
            # invoiced for July but posted in August after the cut-off
            late = post_invoice(company, customer, dt.date(2024, 7, 20),
                (product, 2))
            self.assertEqual(late.invoice_date, dt.date(2024, 7, 20))
            post_invoice(company, customer, dt.date(2024, 8, 20),
                (product, 1))
            # the entry is dated by the invoice: move its posting to August
            post_volume_on(late, dt.date(2024, 8, 12))
            first = calculate(august)
            self.assertEqual(amounts(august), {
                    ('E', 'commission', False): D('50.00'),
                    ('E', 'commission', True): D('100.00'),
                    ('U', 'commission', True): D('60.00')})
            late_line, = Line.search([('period', '=', august.id),
                    ('late', '=', True), ('beneficiary', '=', u.id)])
            self.assertEqual(
                (late_line.origin_period, late_line.rank,
                    late_line.order_date),
                (july, 'Manager', dt.date(2024, 7, 20)))
            # a run interrupted after one line leaves the previous lines
            # (PostgreSQL savepoint; on SQLite the request is rolled back)
            with self.assertRaises(RuntimeError):
                calculate(august, fail_after=1)
            if backend.name == 'postgresql':
                self.assertEqual(Line.search([('period', '=', august.id)],
                        count=True), 3)
            again = calculate(august)
            self.assertEqual(Line.search([('period', '=', august.id)],
                    count=True), 3)
            self.assertEqual(
                (again.input_hash, again.output_hash),
                (first.input_hash, first.output_hash))
            del Invoice

    @with_transaction()
    def test_late_lines_within_the_payout_cap(self):
        "Late lines share what the order period's cap has left (ADR 0041)"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Line = pool.get('mlm.commission.line')
        capped = json.loads(json.dumps(C1_PLAN))
        capped['versions'][0]['components']['payout_cap'] = {
            'share': '0.06', 'volume': 'pv'}
        company = setup_company()
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company, capped))
            rich = create_product("Rich in PV", '2000', '1000', '1000')
            # July pays 8 % of 1,000.00 CV: 80.00 (5 % to E, 3 % to U),
            # below its cap of 6 % of 2,000.00 PV
            post_invoice(company, customer, dt.date(2024, 7, 15), (rich, 1))
            calculate(july)
            self.assertEqual(amounts(july), {
                    ('E', 'commission', False): D('50.00'),
                    ('U', 'commission', False): D('30.00')})
            Period.write([Period(july.id)], {'state': 'closed'})
            # a July order of 3,000.00 PV and CV posted in August
            late = post_invoice(company, customer, dt.date(2024, 7, 20),
                (product, 3))
            post_volume_on(late, dt.date(2024, 8, 12))
            # August's own order: 1,000.00 CV but only 100.00 PV
            lean = create_product("Lean in PV", '100', '1000', '1000')
            post_invoice(company, customer, dt.date(2024, 8, 10), (lean, 1))
            calculate(august)
            # July's cap is now 6 % of 5,000.00 = 300.00; 80.00 are paid,
            # the late lines (150.00 and 90.00 uncapped) share 220.00
            # instead of taking 225.00 at the recomputed period's factor.
            # August's own lines (50.00 and 30.00 uncapped) share its cap of
            # 6 % of its own 100.00 PV: 6.00, not 46.50 at the factor of a
            # cap on 3,100.00 PV over its own and the late lines
            self.assertEqual(amounts(august), {
                    ('E', 'commission', True): D('137.50'),
                    ('U', 'commission', True): D('82.50'),
                    ('E', 'commission', False): D('3.75'),
                    ('U', 'commission', False): D('2.25')})
            self.assertEqual(sorted(
                    (line.beneficiary.party.name, line.late,
                        line.amount_before_cap)
                    for line in Line.search([('period', '=', august.id)])),
                [('E', False, D('50.00')), ('E', True, D('150.00')),
                    ('U', False, D('30.00')), ('U', True, D('90.00'))])

    @with_transaction()
    def test_settlement_gutschrift(self):
        "Oracles G1/G2, reverse charge, blocked partner, holdback, minimum"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Settlement = pool.get('mlm.commission.settlement')
        Distributor = pool.get('mlm.distributor')
        company = setup_company()
        approver, = create_users('approver')
        plan = json.loads(json.dumps(C1_PLAN))
        plan['versions'][0]['ranks'][1]['min_gv'] = '1000000'
        with set_company(company):
            u, e, customer, product, plan, july, august = (
                self.c1_setup(company, plan))
            setup_settlement(company)
            add_identifier(e.party, 'de_stnr', '181/815/08155')
            Distributor.write([u], {'tax_status': 'small_business'})
            r = create_partner("R")
            add_identifier(r.party, 'eu_vat', 'ATU13585627')
            Distributor.write([r], {'tax_status': 'reverse_charge'})
            b = create_partner("B")
            big = create_product("Big", '100000', '100000', '100000')
            post_invoice(company, customer, dt.date(2024, 7, 15), (big, 1))
            post_invoice(company, r.party, dt.date(2024, 7, 16), (product, 1))
            post_invoice(company, b.party, dt.date(2024, 7, 17), (product, 1))

            def approve_and_settle(period):
                calculate(period)
                with Transaction().set_user(approver.id):
                    Period.approve([Period(period.id)])
                Period.settle([Period(period.id)])
                return {s.distributor.party.name: s
                    for s in Settlement.search([('period', '=', period.id)])}
            settlements = approve_and_settle(july)
            self.assertEqual(
                {n: (s.state, s.earned, s.net, s.vat, s.total, s.carried_out)
                    for n, s in settlements.items()}, {
                    'E': ('draft', D('5000.00'), D('5000.00'), D('950.00'),
                        D('5950.00'), D('0.00')),
                    'U': ('draft', D('3000.00'), D('3000.00'), D('0.00'),
                        D('3000.00'), D('0.00')),
                    'R': ('draft', D('50.00'), D('50.00'), D('0.00'),
                        D('50.00'), D('0.00')),
                    'B': ('blocked', D('50.00'), D('0.00'), D('0.00'),
                        D('0.00'), D('50.00')),
                    })
            self.assertIn('§ 19 UStG', settlements['U'].note)
            self.assertIn('§ 13b UStG', settlements['R'].note)
            self.assertIsNone(settlements['E'].note)
            self.assertEqual(settlements['E'].tax_identifier, '181/815/08155')
            self.assertIn('no tax number or VAT ID',
                settlements['B'].blocked_reason)
            Settlement.post(Settlement.search([('state', '=', 'draft')]))
            posted = sorted(Settlement.search([('state', '=', 'posted')]),
                key=lambda s: s.number)
            self.assertEqual(
                [(s.number, s.distributor.party.name, s.invoice.type,
                        s.invoice.state, s.invoice.untaxed_amount,
                        s.invoice.tax_amount, s.invoice.total_amount)
                    for s in posted], [
                    ('GS-000001', 'U', 'in', 'posted', D('3000.00'),
                        D('0.00'), D('3000.00')),
                    ('GS-000002', 'E', 'in', 'posted', D('5000.00'),
                        D('950.00'), D('5950.00')),
                    ('GS-000003', 'R', 'in', 'posted', D('50.00'),
                        D('0.00'), D('50.00')),
                    ])
            # the statements are attached to the period and the partner
            Attachment = pool.get('ir.attachment')
            pdf, = Attachment.search([
                    ('resource', '=', str(Period(july.id))),
                    ('name', '=', 'Gutschrift GS-000002 2024-07.pdf')])
            self.assertTrue(pdf.data.startswith(b'%PDF'))
            for text in [b'Gutschrift', b'GS-000002', b'181/815/08155',
                    b'01.07.2024 bis 31.07.2024', b'5.950,00',
                    rb'f\374nftausendneunhundertf\374nfzig Euro']:
                self.assertIn(text, pdf.data)
            self.assertEqual(Attachment.search([
                        ('resource', '=', str(e.party)),
                        ('name', 'like', 'Gutschrift %')], count=True), 1)
            g2, = Attachment.search([('name', '=',
                        'Gutschrift GS-000001 2024-07.pdf')], limit=1)
            self.assertIn(b'19 UStG', g2.data)
            self.assertNotIn(b'Umsatzsteuer 19 %', g2.data)
            Period.export([Period(july.id)])
            xlsx, = Attachment.search([
                    ('name', '=', 'Provisionslauf 2024-07.xlsx')])
            self.assertTrue(xlsx.data.startswith(b'PK'))
            # August: holdback 10 % released after one period, minimum 100
            setup_settlement(company, holdback_rate=D('0.1'),
                holdback_periods=1, minimum_payout=D('100'))
            post_invoice(company, r.party, dt.date(2024, 8, 16), (product, 1))
            settlements = approve_and_settle(august)
            self.assertEqual(
                {n: (s.state, s.earned, s.carried_in, s.holdback, s.released,
                        s.net, s.carried_out)
                    for n, s in settlements.items()}, {
                    'R': ('carried', D('50.00'), D('0.00'), D('5.00'),
                        D('0.00'), D('0.00'), D('45.00')),
                    'B': ('blocked', D('0.00'), D('50.00'), D('0.00'),
                        D('0.00'), D('0.00'), D('50.00')),
                    })
            september = Period.create_for(plan, dt.date(2024, 9, 1))
            settlements = approve_and_settle(september)
            self.assertEqual(
                (settlements['R'].carried_in, settlements['R'].released,
                    settlements['R'].carried_out),
                (D('45.00'), D('5.00'), D('50.00')))


class CommissionDemoTestCase(DatabaseTestCase):
    "The demo step, in its own database (it writes a whole company)"
    modules = ('mlm_commission',)

    @with_transaction()
    def test_demo_step(self):
        "The demo step creates closed, approved and open periods"
        import importlib.util
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Settlement = pool.get('mlm.commission.settlement')
        Line = pool.get('mlm.commission.line')
        Template = pool.get('product.template')
        path = Path(__file__).parents[2] / 'addons' / 'mlm_demo' / (
            'commission.py')
        spec = importlib.util.spec_from_file_location('demo_commission', path)
        demo = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(demo)
        company = setup_company()
        with set_company(company):
            create_ranks('PARTNER', 'BRONZE', 'SILVER')
            top = create_partner("Top")
            partners = [top]
            for i in range(6):
                partner = create_partner("P%s" % i, top)
                create_customer("C%s" % i, partner)
                partners.append(partner)
            pool.get('mlm.distributor').write(
                partners, {'tax_status': 'small_business'})
            product = create_product("Kit", '0', '0', '40')
            Template.write([product.template], {'salable': True,
                    'sale_uom': product.template.default_uom.id})
            summary = demo.setup_commission(100, dt.date(2024, 12, 15))
            self.assertEqual(
                (summary['periods'], summary['closed_periods']), (6, 4))
            self.assertGreater(summary['invoices'], 20)
            self.assertEqual(
                [p.state for p in Period.search([],
                        order=[('start_date', 'ASC')])],
                ['closed'] * 4 + ['approved', 'calculated'])
            self.assertIsNone(Period.verify_chain())
            self.assertGreater(summary['payments'], 20)
            self.assertGreater(Line.search([], count=True), 20)
            self.assertGreater(Settlement.search([], count=True), 0)
            self.assertEqual(Settlement.search(
                    [('state', '=', 'blocked')], count=True), 0)


del ModuleTestCase
