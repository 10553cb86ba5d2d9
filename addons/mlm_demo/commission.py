# This file is part of the MLM suite. See LICENSE for details.
"""Demo commission data: an active plan, six months of orders, invoices and
payments (some late, some returned), closed and approved periods with
statements and an open period with a preview.

``setup_commission(size, today)`` runs inside an open server transaction
(pool ready, company in the context, the demo network created).
"""
import datetime as dt
import json
import random
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from mlm_demo.users import demo_user

PLAN_NAME = "Vitalis Karriereplan"
EXPENSE_CODES = ['4760', '3400']
INPUT_VAT = "Vorsteuer – Normalsatz"
MONTHS = 6


def plan_document(rank_codes):
    "A stair-step + unilevel plan on the company's rank ladder"
    ladder = list(rank_codes)
    rates = ['0.03', '0.06', '0.09', '0.12', '0.15', '0.18', '0.21']
    ranks = []
    for i, code in enumerate(ladder):
        rank = {'name': code, 'min_pv': '50'}
        if i:
            rank['min_gv'] = str(500 * 4 ** (i - 1))
        ranks.append(rank)
    return {
        'name': PLAN_NAME,
        'currency': 'EUR',
        'versions': [{
                'id': '2026.1',
                'valid_from': '2000-01-01',
                'career': 'highest',
                'volumes': {'activity_min_pv': '50'},
                'ranks': ranks,
                'components': {
                    'stairstep': {
                        'volume': 'cv',
                        'rates': dict(zip(ladder, rates)),
                        },
                    'unilevel': {
                        'volume': 'cv',
                        'compression': 'dynamic',
                        'rates': {code: ['0.02', '0.01'][:1 + (i > 1)]
                            for i, code in enumerate(ladder)},
                        },
                    },
                }],
        }


def month_start(date, back):
    month = date.month - 1 - back
    return dt.date(date.year + month // 12, month % 12 + 1, 1)


def setup_commission(size, today):
    "Create the commission demo; return a summary dict"
    pool = Pool()
    Template = pool.get('product.template')
    Rank = pool.get('mlm.rank')
    Plan = pool.get('mlm.commission.plan')
    Version = pool.get('mlm.commission.plan.version')
    Period = pool.get('mlm.commission.period')
    FiscalYear = pool.get('account.fiscalyear')
    company_id = Transaction().context['company']
    Company = pool.get('company.company')
    company = Company(company_id)
    rng = random.Random(20261127)

    # products: PV = partner price (about 75 % of retail), CV = 80 % of it
    templates = Template.search([('salable', '=', True)])
    for template in templates:
        partner = (template.list_price or Decimal(0)) * Decimal('0.75')
        template.mlm_pv = partner.quantize(Decimal('0.01'))
        template.mlm_cv = (partner * Decimal('0.8')).quantize(Decimal('0.01'))
    Template.save(templates)
    products = [t.products[0] for t in templates if t.products]

    configure_settlement(company)
    ranks = Rank.search([('company', '=', company.id)], order=[('level', 'ASC')])
    plan = Plan.import_document(json.dumps(plan_document(
                [r.code for r in ranks] or ['PARTNER'])))
    plan.commissionable_on = 'payment'
    plan.save()
    Version.activate(list(plan.versions))

    # months covered by a fiscal year
    starts = [month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    starts = [s for s in starts if FiscalYear.search([
                ('company', '=', company.id),
                ('start_date', '<=', s), ('end_date', '>=', s)], limit=1)]
    tax_numbers(company)
    events = order_events(rng, size, today, starts, products,
        portal_parties())
    summary = post_events(company, events, today)
    periods = [Period.create_for(plan, s) for s in starts]
    clerk, approver = demo_users()
    for period in periods[:-1]:
        with Transaction().set_user(clerk):
            run(period)
        with Transaction().set_user(approver):
            Period.approve([Period(period.id)])
    closed = periods[:-2]
    if closed:
        with Transaction().set_user(approver):
            Period.close(Period.browse(closed))
    Settlement = pool.get('mlm.commission.settlement')
    for period in periods[:-1]:
        Period.settle([Period(period.id)])
        Settlement.post(Settlement.search([
                    ('period', '=', period.id), ('state', '=', 'draft')]))
        Period.export([Period(period.id)])
    if periods:
        with Transaction().set_user(clerk):
            run(periods[-1])
    summary.update({
            'plan': plan.name,
            'periods': len(periods),
            'closed_periods': len(closed),
            'settlements': Settlement.search([], count=True),
            })
    return summary


def configure_settlement(company):
    pool = Pool()
    Configuration = pool.get('mlm.commission.configuration')
    Account = pool.get('account.account')
    Tax = pool.get('account.tax')
    config = Configuration(1)
    expense = None
    for code in EXPENSE_CODES:
        found = Account.search([('code', '=', code),
                ('company', '=', company.id)], limit=1)
        if found and found[0].type and found[0].type.expense:
            expense = found[0]
            break
    if expense is None:
        expense, = Account.search([('type.expense', '=', True),
                ('closed', '!=', True), ('company', '=', company.id)],
            limit=1)
    config.settlement_account = expense
    taxes = Tax.search([('name', '=', INPUT_VAT),
            ('company', '=', company.id)], limit=1)
    config.settlement_tax = taxes[0] if taxes else None
    config.minimum_payout = Decimal('10')
    config.holdback_rate = Decimal('0.05')
    config.holdback_periods = 2
    config.save()


def portal_parties():
    "The parties of the portal demo logins (they order every month)"
    from mlm_demo.portal import PORTAL_LOGINS
    try:
        WebUser = Pool().get('web.user')
    except KeyError:  # the commission module alone, without the portal
        return []
    users = WebUser.search([
            ('email', 'in', [email for email, _, _ in PORTAL_LOGINS])],
        order=[('id', 'ASC')])
    return [u.party for u in users if u.party]


def tax_numbers(company):
    """Give the regularly taxed partners a German tax number, except every
    tenth: their settlements are blocked until one is entered"""
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Identifier = pool.get('party.identifier')
    portal = {p.id for p in portal_parties()}
    parties = [row['party'] for row in Distributor.search_read([
                ('company', '=', company.id),
                ('tax_status', '=', 'regular'),
                ], order=[('number', 'ASC')], fields_names=['party'])]
    identified = {row['party'] for row in Identifier.search_read([
                ('type', 'in', ['de_stnr', 'eu_vat']),
                ], fields_names=['party'])}
    Identifier.create([{
                'party': party, 'type': 'de_stnr',
                'code': '181/815/%05d' % (index + 1),
                } for index, party in enumerate(parties)
            if party not in identified
            and (index % 10 != 9 or party in portal)])


def order_events(rng, size, today, starts, products, regulars=()):
    """(date, kind, data) events: invoices, payments (some after the
    cut-off), partial credits of paid orders in a later month; the regulars
    order on the 3rd of every month and pay at once"""
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Assignment = pool.get('mlm.customer.assignment')
    buyers = [d.party for d in Distributor.search([
                ('status', '=', 'active')], order=[('id', 'ASC')])]
    buyers += [a.customer for a in Assignment.search([
                ('valid_to', '=', None)], order=[('id', 'ASC')])]
    if not buyers or not products:
        return []
    per_month = max(5, min(size // 20, 120))
    events = []
    for start in starts:
        end = month_start(start, -1) - dt.timedelta(days=1)
        for n in range(per_month):
            date = start + dt.timedelta(days=rng.randrange(0, end.day))
            if date > today:
                date = today
            party = rng.choice(buyers)
            lines = [(rng.choice(products), rng.randrange(1, 4))
                for _ in range(rng.randrange(1, 3))]
            key = (start, n)
            events.append((date, 0, 'invoice', key, party, lines))
            roll = rng.random()
            if roll < 0.8:
                paid = date + dt.timedelta(days=rng.randrange(0, 4))
            elif roll < 0.9:
                paid = end + dt.timedelta(days=rng.randrange(8, 20))
            else:
                paid = None
            if paid and paid <= today:
                events.append((paid, 1, 'payment', key, None, None))
                if rng.random() < 0.06:
                    credit = paid + dt.timedelta(days=rng.randrange(20, 40))
                    if credit <= today:
                        events.append((credit, 2, 'credit', key, None, None))
        for n, party in enumerate(regulars):
            date = min(start + dt.timedelta(days=2), today)
            key = (start, per_month + n)
            lines = [(products[(start.month + n) % len(products)], 2)]
            events.append((date, 0, 'invoice', key, party, lines))
            events.append((date, 1, 'payment', key, None, None))
    events.sort(key=lambda e: (e[0], e[1], e[3]))
    return events


def post_events(company, events, today):
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    MoveLine = pool.get('account.move.line')
    method = payment_method(company)
    invoices = {}
    counts = {'invoices': 0, 'payments': 0, 'credits': 0}
    for date, _, kind, key, party, lines in events:
        if kind == 'invoice':
            invoice = Invoice(type='out', company=company, party=party,
                invoice_date=date, currency=company.currency)
            invoice.on_change_type()
            invoice.on_change_party()
            if not invoice.invoice_address:
                continue
            invoice_lines = []
            for product, quantity in lines:
                line = Line(type='line', product=product,
                    quantity=quantity, invoice=invoice, company=company,
                    currency=company.currency, unit=product.default_uom)
                line.on_change_product()
                line.unit_price = product.template.list_price
                invoice_lines.append(line)
            invoice.lines = invoice_lines
            invoice.save()
            Invoice.post([invoice])
            invoices[key] = invoice
            counts['invoices'] += 1
        elif kind == 'payment' and key in invoices and method:
            invoice = Invoice(invoices[key].id)
            paid = invoice.pay_invoice(
                invoice.amount_to_pay, method, date)
            MoveLine.reconcile(list(invoice.lines_to_pay) + list(paid))
            # the reconciliation queues the state change: apply it now
            Invoice.process([Invoice(invoice.id)])
            counts['payments'] += 1
        elif kind == 'credit' and key in invoices:
            invoice = Invoice(invoices[key].id)
            credit_note, = Invoice.credit([invoice])
            credit_note.invoice_date = date
            credit_note.lines = credit_note.lines[:1]
            credit_note.save()
            Invoice.post([credit_note])
            counts['credits'] += 1
    return counts


def payment_method(company):
    pool = Pool()
    Journal = pool.get('account.journal')
    Method = pool.get('account.invoice.payment.method')
    Account = pool.get('account.account')
    journals = Journal.search([('type', '=', 'cash')], limit=1)
    accounts = Account.search([('code', 'in', ['1200', '1000']),
            ('company', '=', company.id)], limit=1)
    if not accounts:
        accounts = Account.search([('type.statement', '=', 'balance'),
                ('type.receivable', '=', False),
                ('type.payable', '=', False), ('closed', '!=', True),
                ('company', '=', company.id)], limit=1)
    if not journals or not accounts:
        return None
    method, = Method.create([{
                'name': "Bank", 'company': company.id,
                'journal': journals[0].id,
                'credit_account': accounts[0].id,
                'debit_account': accounts[0].id,
                }])
    return method


def demo_users():
    "(clerk, approver) user ids: the demo logins, else new users"
    return (demo_user('provision', 'group_mlm_commission_clerk'),
        demo_user('freigabe', 'group_mlm_commission_approver'))


def run(period):
    Run = Pool().get('mlm.commission.run')
    record, = Run.create([{'period': period.id,
                'company': period.company.id}])
    record.execute()
