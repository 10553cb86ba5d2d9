# This file is part of the MLM suite. See LICENSE for details.
"""Route tests of the commission pages: periods, lines, statements and the
dashboard preview, with exact figures and every refusal.

The organisation: Anna Leader (Manager by override) sponsors Ben Builder
and Dora Direct; Carla is a protected customer of Ben; Xena Outside is in
another branch.  Plan C1 (stair-step 5 % Consultant, 8 % Manager).

- 2024-07 (closed): Carla buys 1,000 -> Ben 50.00, Anna 30.00 (3 %
  differential); Xena buys 1,000 herself -> Xena 50.00.
- 2024-08 (approved, holdback 10 %): Carla's July order is credited
  (clawback Ben -50.00, Anna -30.00), a July order posted after the
  cut-off is paid late (Ben 50.00, Anna 30.00) and Carla buys 2,000 (Ben
  100.00, Anna 60.00); Xena buys 100 (5.00, below the minimum payout of
  10.00: carried forward).
- 2024-09 (calculated, the open period): Carla buys 1,000 (Ben 50.00,
  Anna 30.00), the preview.
"""
import datetime as dt
import html.parser
from decimal import Decimal
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from mlm_commission.tests.tools import (
    add_identifier, calculate, create_customer, create_partner, create_plan,
    create_product, create_ranks, credit_invoice, override_rank,
    post_invoice, post_volume_on, setup_company, setup_settlement)
from mlm_network.tests.tools import create_distributor

from .test_routes import PortalClient
from .tools import PASSWORD, create_login, csrf_of

D = Decimal
BASE = '/%s/portal' % DB_NAME
MONTHS = {
    'july': (dt.date(2024, 7, 1), dt.date(2024, 7, 31)),
    'august': (dt.date(2024, 8, 1), dt.date(2024, 8, 31)),
    'september': (dt.date(2024, 9, 1), dt.date(2024, 9, 30)),
    }


class Tables(html.parser.HTMLParser):
    "The text of every cell of the tables of a page, row by row"

    def __init__(self, text):
        super().__init__()
        self.tables, self.row, self.cell = {}, None, None
        self.current = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'table':
            self.current = attrs.get('id') or attrs.get('class')
            self.tables[self.current] = []
        elif tag == 'tr' and self.current is not None:
            self.row = []
        elif tag in {'td', 'th'} and self.row is not None:
            self.cell = []
        elif tag == 'br' and self.cell is not None:
            self.cell.append(' ')

    def handle_endtag(self, tag):
        if tag in {'td', 'th'} and self.cell is not None:
            self.row.append(' '.join(''.join(self.cell).split()))
            self.cell = None
        elif tag == 'tr' and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == 'table':
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def committed(func, user=0, context=None):
    """Run func in a transaction that is committed; restarted with the
    tables locked when func locks (Model.lock in 8.x)"""
    extras = {}
    while True:
        with Transaction().start(DB_NAME, user, context=context,
                **extras) as transaction:
            try:
                return func()
            except TransactionError as error:
                transaction.rollback()
                error.fix(extras)


def approve(period):
    "Approve as user 0 (the runs are made by the admin: four eyes hold)"
    Period = Pool().get('mlm.commission.period')
    with Transaction().set_user(0):
        Period.approve([Period(period.id)])


def settle_and_post(period):
    pool = Pool()
    Period = pool.get('mlm.commission.period')
    Settlement = pool.get('mlm.commission.settlement')
    Period.settle([Period(period.id)])
    Settlement.post(Settlement.search([
                ('period', '=', period.id), ('state', '=', 'draft')]))


class CommissionRouteTestCase(RouteTestCase):
    "Portal routes over commission data that build() commits once"
    module = 'mlm_portal'
    extras = ['mlm_commission']
    ids = {}
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        # the database of RouteTestCase without its setUpDatabase
        # transaction: setting up accounting locks tables
        super(RouteTestCase, cls).setUpClass()
        committed(cls.build, user=1)

    def open_october(self):
        "Open the period 2024-10 (no run) for the test; return its id"
        def create():
            pool = Pool()
            Period = pool.get('mlm.commission.period')
            Plan = pool.get('mlm.commission.plan')
            return Period.create_for(
                Plan(self.ids['plan']), dt.date(2024, 10, 1)).id
        october = committed(create,
            context={'company': self.ids['company']})

        def delete():
            Period = Pool().get('mlm.commission.period')
            Period.delete([Period(october)])
        self.addCleanup(committed, delete)
        return october


class CommissionPagesTestCase(CommissionRouteTestCase):
    "Portal commission pages"

    @classmethod
    def build(cls):
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Distributor = pool.get('mlm.distributor')
        Settlement = pool.get('mlm.commission.settlement')
        Configuration = pool.get('mlm.commission.configuration')
        company = setup_company()
        with set_company(company):
            consultant, manager = create_ranks('Consultant', 'Manager')
            anna = create_partner("Anna Leader")
            ben = create_partner("Ben Builder", anna)
            dora = create_partner("Dora Direct", anna)
            xena = create_partner("Xena Outside")
            carla = create_customer("Carla Customer", ben)
            product = create_product("Product", '1000', '1000', '1000')
            sample = create_product("Sample", '100', '100', '100')
            plan = create_plan(company)
            periods = {name: Period.create_for(plan, start)
                for name, (start, _) in MONTHS.items()}
            for start, end in MONTHS.values():
                override_rank(anna, manager, start, end)
            setup_settlement(company)
            add_identifier(anna.party, 'de_stnr', '181/815/08155')
            Distributor.write([ben, xena], {'tax_status': 'small_business'})
            for partner, email in [(anna, 'anna@example.com'),
                    (ben, 'ben@example.com'), (dora, 'dora@example.com'),
                    (xena, 'xena@example.com')]:
                create_login(partner, email)

            # July: closed with Gutschriften
            july_order = post_invoice(company, carla, dt.date(2024, 7, 15),
                (product, 1))
            post_invoice(company, xena.party, dt.date(2024, 7, 16),
                (product, 1))
            late = post_invoice(company, carla, dt.date(2024, 7, 20),
                (product, 1))
            # posted after July's cut-off: commissioned late in August
            post_volume_on(late, dt.date(2024, 8, 12))
            calculate(periods['july'])
            approve(periods['july'])
            settle_and_post(periods['july'])
            with Transaction().set_user(0):
                Period.close([Period(periods['july'].id)])

            # August: approved, 10 % holdback, a late order and a clawback
            config = Configuration(1)
            config.holdback_rate = D('0.1')
            config.holdback_periods = 1
            config.minimum_payout = D('10')
            config.save()
            credit_invoice(july_order, dt.date(2024, 8, 10))
            post_invoice(company, carla, dt.date(2024, 8, 20), (product, 2))
            post_invoice(company, xena.party, dt.date(2024, 8, 21),
                (sample, 1))
            calculate(periods['august'])
            approve(periods['august'])
            settle_and_post(periods['august'])

            # September: calculated, the open period
            post_invoice(company, carla, dt.date(2024, 9, 10), (product, 1))
            run = calculate(periods['september'])

            settlements = {
                (s.period.id, s.distributor.id): s
                for s in Settlement.search([])}
        cls.ids = {
            'company': company.id, 'plan': plan.id, 'run': run.id,
            'anna': anna.id, 'ben': ben.id, 'dora': dora.id,
            'xena': xena.id,
            'anna_number': anna.number, 'ben_number': ben.number,
            'xena_number': xena.number,
            }
        cls.ids.update({name: p.id for name, p in periods.items()})
        for (period_id, distributor_id), settlement in settlements.items():
            name = [n for n, p in periods.items() if p.id == period_id][0]
            partner = [n for n in ['anna', 'ben', 'xena']
                if cls.ids[n] == distributor_id][0]
            cls.ids['%s_%s' % (partner, name)] = settlement.id
            cls.ids['%s_%s_number' % (partner, name)] = settlement.number

    # helpers ---------------------------------------------------------------

    def client(self, lang='en'):
        client = PortalClient(app, Response)
        client.set_cookie('mlm_portal_lang', lang, path=BASE + '/')
        return client

    def get(self, client, path, **kwargs):
        return client.get(BASE + path, **kwargs)

    def login(self, email='anna@example.com', lang='en'):
        client = self.client(lang)
        page = client.get(BASE + '/login')
        response = client.post(BASE + '/login', data={
                'email': email, 'password': PASSWORD,
                'csrf_token': csrf_of(page.text)})
        self.assertEqual(response.status_code, 303, response.text)
        return client

    def assertNotFound(self, response, *secrets):
        self.assertEqual(response.status_code, 404)
        self.assertIn('Page not found', response.text)
        self.assertNotIn(b'%PDF', response.data)
        for secret in secrets:
            self.assertNotIn(secret, response.text)

    def tables(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return Tables(response.text).tables

    def period_url(self, name):
        return '/commissions/%s' % self.ids[name]

    def statement_url(self, name):
        return '/statements/%s.pdf' % self.ids[name]

    # the pages -------------------------------------------------------------

    def test_periods(self):
        "The periods with earned, paid-as rank, payout, state and statement"
        response = self.get(self.login(), '/commissions')
        rows = self.tables(response)['periods']
        self.assertEqual(rows, [
                ['Period', 'Service period', 'Status', 'Paid-as rank',
                    'Earned', 'Payout amount', 'Settlement', 'Statement'],
                ['2024-09', '2024-09-01 – 2024-09-30', 'Preview', 'Manager',
                    '30.00', '–', '–', '–'],
                ['2024-08', '2024-08-01 – 2024-08-31', 'Approved', 'Manager',
                    '60.00', '64.26', 'Posted',
                    '%s (PDF)' % self.ids['anna_august_number']],
                ['2024-07', '2024-07-01 – 2024-07-31', 'Closed', 'Manager',
                    '30.00', '35.70', 'Posted',
                    '%s (PDF)' % self.ids['anna_july_number']],
                ])
        for name in ['anna_august', 'anna_july']:
            self.assertIn('href="%s%s"' % (BASE, self.statement_url(name)),
                response.text)
        self.assertIn('All amounts in EUR.', response.text)

    def test_period_lines_and_totals(self):
        "The lines explain each amount; the totals reconcile to the cent"
        response = self.get(self.login(), self.period_url('august'))
        tables = self.tables(response)
        ben = 'Ben Builder (%s)' % self.ids['ben_number']
        path = '%s → %s' % (self.ids['ben_number'], self.ids['anna_number'])
        self.assertEqual(tables['list'][1:], [
                ['2024-07-15', '1', ben + ' Customer: Carla Customer',
                    'Stair-step', '1', '2', '1,000.00 CV', '3 %', '-30.00',
                    'Manager', path, 'Clawback of 2024-07'],
                ['2024-07-20', '3', ben + ' Customer: Carla Customer',
                    'Stair-step', '1', '2', '1,000.00 CV', '3 %', '30.00',
                    'Manager', path,
                    'Late (nachschüssig), order period 2024-07'],
                ['2024-08-20', '8', ben + ' Customer: Carla Customer',
                    'Stair-step', '1', '2', '2,000.00 CV', '3 %', '60.00',
                    'Manager', path, ''],
                ])
        self.assertEqual(tables['list totals'], [
                ['Commissions', '60.00'],
                ['Late commissions (nachschüssig)', '30.00'],
                ['Clawbacks (cancelled orders)', '-30.00'],
                ['Earned', '60.00'],
                ['Carried in from earlier periods', '0.00'],
                ['Holdback', '-6.00'],
                ['Released holdback', '0.00'],
                ['Carried forward to the next period', '0.00'],
                ['Net payout', '54.00'],
                ['VAT 19 %', '10.26'],
                ['Payout amount', '64.26'],
                ])
        self.assertIn('<dt>Gutschrift number</dt><dd>%s</dd>'
            % self.ids['anna_august_number'], response.text)
        self.assertIn('<dt>Paid-as rank</dt><dd>Manager</dd>', response.text)
        self.assertIn('<dt>Lines</dt><dd>3</dd>', response.text)
        # the same reconciliation in the database
        with Transaction().start(DB_NAME, 0):
            Settlement = Pool().get('mlm.commission.settlement')
            Line = Pool().get('mlm.commission.line')
            settlement = Settlement(self.ids['anna_august'])
            earned = sum(l.amount for l in Line.search([
                        ('period', '=', self.ids['august']),
                        ('beneficiary', '=', self.ids['anna'])]))
            self.assertEqual(earned, settlement.earned)
            self.assertEqual(
                settlement.earned + settlement.carried_in
                - settlement.holdback + settlement.released
                - settlement.carried_out, settlement.net)
            self.assertEqual(settlement.net + settlement.vat,
                settlement.total)

    def test_period_small_business_and_german(self):
        "Ben's July in German: § 19 note, no VAT, German numbers"
        response = self.get(self.login('ben@example.com', lang='de'),
            self.period_url('july'))
        tables = self.tables(response)
        ben = 'Ben Builder (%s)' % self.ids['ben_number']
        self.assertEqual(tables['list'][0], [
                'Bestelldatum', 'Bestellung', 'Herkunft', 'Komponente',
                'Ebene', 'Bezahlte Ebene', 'Basis', 'Satz', 'Betrag',
                'Rang am Bestelldatum', 'Pfad', 'Hinweis'])
        self.assertEqual(tables['list'][1:], [
                ['15.07.2024', '1', ben + ' Kunde: Carla Customer',
                    'Stair-step', '0', '1', '1.000,00 CV', '5 %', '50,00',
                    'Consultant', self.ids['ben_number'], ''],
                ])
        self.assertEqual(tables['list totals'][3:], [
                ['Verdient', '50,00'],
                ['Vortrag aus Vorperioden', '0,00'],
                ['Einbehalt', '0,00'],
                ['Freigegebener Einbehalt', '0,00'],
                ['Vortrag auf die Folgeperiode', '0,00'],
                ['Nettoauszahlung', '50,00'],
                ['USt. 0 %', '0,00'],
                ['Auszahlungsbetrag', '50,00'],
                ])
        self.assertIn('§ 19 UStG', response.text)
        self.assertIn('<h1>Provisionen 2024-07</h1>', response.text)
        self.assertNotIn('Anna Leader', response.text)

    def test_statement_download(self):
        "The partner downloads the stored Gutschrift of a posted settlement"
        client = self.login()
        for name, total in [('anna_august', b'64,26'),
                ('anna_july', b'35,70')]:
            with self.subTest(name=name):
                response = self.get(client, self.statement_url(name))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.headers['Content-Type'],
                    'application/pdf')
                self.assertIn('attachment; filename="Gutschrift %s'
                    % self.ids[name + '_number'],
                    response.headers['Content-Disposition'])
                self.assertTrue(response.data.startswith(b'%PDF'))
                self.assertIn(('Partnernummer: %s' % self.ids['anna_number']
                        ).encode(), response.data)
                self.assertIn(self.ids[name + '_number'].encode(),
                    response.data)
                self.assertIn(total, response.data)

    def test_carried_settlement(self):
        "A settlement below the minimum payout has a statement, no payout"
        client = self.login('xena@example.com')
        rows = self.tables(self.get(client, '/commissions'))['periods']
        self.assertEqual(rows[1:], [
                ['2024-09', '2024-09-01 – 2024-09-30', 'Preview', '–',
                    '0.00', '–', '–', '–'],
                ['2024-08', '2024-08-01 – 2024-08-31', 'Approved',
                    'Consultant', '5.00', '0.00', 'Carried Forward',
                    'Statement (PDF)'],
                ['2024-07', '2024-07-01 – 2024-07-31', 'Closed',
                    'Consultant', '50.00', '50.00', 'Posted',
                    '%s (PDF)' % self.ids['xena_july_number']],
                ])
        tables = self.tables(self.get(client, self.period_url('august')))
        self.assertEqual(tables['list totals'][3:], [
                ['Earned', '5.00'],
                ['Carried in from earlier periods', '0.00'],
                ['Holdback', '-0.50'],
                ['Released holdback', '0.00'],
                ['Carried forward to the next period', '-4.50'],
                ['Net payout', '0.00'],
                ['VAT 0 %', '0.00'],
                ['Payout amount', '0.00'],
                ])
        response = self.get(client, self.statement_url('xena_august'))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.data.startswith(b'%PDF'))
        self.assertIn(('Partnernummer: %s' % self.ids['xena_number']
                ).encode(), response.data)

    def test_preview_period(self):
        "The open period's lines are a preview without settlement"
        response = self.get(self.login(), self.period_url('september'))
        tables = self.tables(response)
        self.assertIn('Preview: this period is not approved yet',
            response.text)
        self.assertEqual([row[8] for row in tables['list'][1:]], ['30.00'])
        self.assertEqual(tables['list totals'], [
                ['Commissions', '30.00'],
                ['Late commissions (nachschüssig)', '0.00'],
                ['Clawbacks (cancelled orders)', '0.00'],
                ['Earned', '30.00'],
                ])
        self.assertNotIn('/statements/', response.text)

    def test_dashboard_preview(self):
        "The dashboard shows the open period's commission and the link"
        client = self.login()
        response = self.get(client, '/dashboard')
        self.assertEqual(response.status_code, 200)
        text = response.text
        self.assertIn('<dt>Open period</dt><dd>2024-09</dd>', text)
        self.assertIn('<dt>Preview</dt><dd><strong>30.00 EUR</strong></dd>',
            text)
        self.assertIn('<dt>Lines</dt><dd>1</dd>', text)
        self.assertIn('href="%s/commissions">Open the commissions</a>' % BASE,
            text)
        self.assertIn('href="%s/commissions">Commissions</a>' % BASE, text)
        # the run's rank record: an override counts as reached, and the
        # qualification snapshot of the run
        self.assertIn('<dt>Paid-as rank</dt><dd>Manager</dd>'
            '\n      <dt>Highest rank</dt><dd>Manager</dd>', text)
        self.assertIn('<dt>Group volume (GV)</dt><dd>1,000</dd>', text)
        self.assertIn('<dt>Group volume counted for the next rank</dt>'
            '<dd>1,000</dd>', text)
        response = self.get(self.login('xena@example.com'), '/dashboard')
        self.assertIn('<dt>Preview</dt><dd><strong>0.00 EUR</strong></dd>',
            response.text)

    def test_dashboard_no_run_yet(self):
        "An open period without a run shows 'no run yet'"
        october = self.open_october()
        client = self.login()
        response = self.get(client, '/dashboard')
        self.assertIn('<dt>Open period</dt><dd>2024-10</dd>', response.text)
        self.assertIn('<dt>Preview</dt><dd>No run yet</dd>', response.text)
        response = self.get(client, '/commissions/%s' % october)
        self.assertEqual(response.status_code, 200)
        self.assertIn('<dt>Calculated</dt><dd>No run yet</dd>',
            response.text)
        self.assertIn('No lines for you in this period.', response.text)

    def test_new_partner(self):
        "A partner without lines sees only the open period, at zero"
        client = self.login('dora@example.com')
        rows = self.tables(self.get(client, '/commissions'))['periods']
        self.assertEqual(rows[1:], [
                ['2024-09', '2024-09-01 – 2024-09-30', 'Preview', '–',
                    '0.00', '–', '–', '–']])

    # refusals --------------------------------------------------------------

    def test_refusals(self):
        "Other partners' periods, settlements and statements are not found"
        names = {'anna@example.com': 'Anna Leader',
            'ben@example.com': 'Ben Builder',
            'dora@example.com': 'Dora Direct',
            'xena@example.com': 'Xena Outside'}
        cases = [
            ('dora@example.com', self.period_url('august')),
            ('anna@example.com', self.statement_url('xena_august')),
            ('dora@example.com', self.period_url('july')),
            ('dora@example.com', self.period_url('august')),
            ('xena@example.com', self.statement_url('anna_august')),
            ('xena@example.com', self.statement_url('anna_july')),
            ('ben@example.com', self.statement_url('anna_august')),
            ('anna@example.com', self.statement_url('ben_august')),
            ('anna@example.com', self.statement_url('xena_july')),
            ('anna@example.com', '/commissions/999999'),
            ('anna@example.com', '/commissions/0'),
            ('anna@example.com', '/commissions/-1'),
            ('anna@example.com', '/commissions/abc'),
            ('anna@example.com', '/commissions/99999999999999999999'),
            ('anna@example.com', '/statements/999999.pdf'),
            ('anna@example.com', '/statements/abc.pdf'),
            ]
        for email, path in cases:
            with self.subTest(email=email, path=path):
                client = self.login(email)
                # the own name is in the page header
                secrets = [n for e, n in names.items() if e != email] + [
                    'Carla', '60.00', '64.26', '35.70', '50.00']
                self.assertNotFound(self.get(client, path), *secrets)

    def test_other_partner_sees_own_lines_only(self):
        "A period shared with others shows only the partner's own lines"
        response = self.get(self.login('xena@example.com'),
            self.period_url('july'))
        tables = self.tables(response)
        xena = 'Xena Outside (%s)' % self.ids['xena_number']
        self.assertEqual(tables['list'][1:], [
                ['2024-07-16', '2', xena + ' own order', 'Stair-step', '0',
                    '1', '1,000.00 CV', '5 %', '50.00', 'Consultant',
                    self.ids['xena_number'],
                    '']])
        for secret in ['Anna Leader', 'Ben Builder', 'Carla', '30.00']:
            self.assertNotIn(secret, response.text)
        # Ben's own July statement, not Anna's
        response = self.get(self.login('ben@example.com'), '/commissions')
        self.assertIn(self.statement_url('ben_july'), response.text)
        self.assertNotIn(self.statement_url('anna_july'), response.text)

    def test_statement_only_for_approved_periods(self):
        "A rejected (calculated again) period offers no statement"
        def reject():
            Period = Pool().get('mlm.commission.period')
            Period.reject([Period(self.ids['august'])])

        def approve_again():
            Period = Pool().get('mlm.commission.period')
            Period.approve([Period(self.ids['august'])])
        committed(reject)
        self.addCleanup(committed, approve_again)
        client = self.login()
        self.assertNotFound(self.get(client, self.statement_url(
                    'anna_august')))
        rows = self.tables(self.get(client, '/commissions'))['periods']
        self.assertEqual(rows[2], ['2024-08', '2024-08-01 – 2024-08-31',
                'Preview', 'Manager', '60.00', '64.26', 'Posted', '–'])
        # the closed July statement stays available
        response = self.get(client, self.statement_url('anna_july'))
        self.assertEqual(response.status_code, 200)

    def test_statement_attachment_missing(self):
        "A posted settlement whose PDF is not stored answers not found"
        client = self.login()
        with patch('mlm_portal.commission.statement_name',
                return_value='missing.pdf'):
            self.assertNotFound(self.get(client, self.statement_url(
                        'anna_july')))

    def test_pages_need_login(self):
        "Anonymous visitors are sent to the login"
        for path in ['/commissions', self.period_url('july'),
                self.statement_url('anna_july')]:
            with self.subTest(path=path):
                response = self.get(self.client(), path)
                self.assertEqual(response.status_code, 303)
                self.assertTrue(
                    response.location.startswith(BASE + '/login?next='))


class WithoutCommissionTestCase(RouteTestCase):
    "The portal without mlm_commission has no commission pages"
    module = 'mlm_portal'

    @classmethod
    def setUpDatabase(cls):
        company = create_company()
        with set_company(company):
            anna = create_distributor("Anna Alone", status='active')
            create_login(anna, 'alone@example.com')

    def test_no_commission_pages(self):
        "Dashboard without preview nor link; the pages are not found"
        client = PortalClient(app, Response)
        client.set_cookie('mlm_portal_lang', 'en', path=BASE + '/')
        page = client.get(BASE + '/login')
        response = client.post(BASE + '/login', data={
                'email': 'alone@example.com', 'password': PASSWORD,
                'csrf_token': csrf_of(page.text)})
        self.assertEqual(response.status_code, 303)
        response = client.get(BASE + '/dashboard')
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('/commissions', response.text)
        self.assertNotIn('id="commission"', response.text)
        for path in ['/commissions', '/commissions/1', '/statements/1.pdf']:
            with self.subTest(path=path):
                response = client.get(BASE + path)
                self.assertEqual(response.status_code, 404)
                self.assertIn('Page not found', response.text)
