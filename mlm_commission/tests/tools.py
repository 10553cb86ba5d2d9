# This file is part of the MLM suite. See LICENSE for details.
"Helpers shared by the tests of mlm_commission"
import datetime as dt
import json
from decimal import Decimal

from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import add_currency_rate, create_currency
from trytond.pool import Pool
from trytond.transaction import Transaction

C1_PLAN = {
    'name': 'C1 clawback',
    'currency': 'EUR',
    'versions': [{
            'id': 'c1',
            'valid_from': '2024-01-01',
            'career': 'requalify',
            'ranks': [
                {'name': 'Consultant', 'min_pv': '100'},
                {'name': 'Manager', 'min_pv': '100', 'min_gv': '100000'},
                ],
            'components': {
                'stairstep': {
                    'rates': {'Consultant': '0.05', 'Manager': '0.08'}},
                },
            }],
    }


def setup_company():
    "A EUR company with a chart of accounts and the 2024 fiscal year"
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    currency = create_currency('EUR')
    add_currency_rate(currency, 1)
    company = create_company(currency=currency)
    company.cancel_invoice_out = True
    company.save()
    with set_company(company):
        create_chart(company)
        fiscalyear = get_fiscalyear(
            company, today=dt.date(2024, 6, 1),
            start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
        set_invoice_sequences(fiscalyear)
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
    return company


def create_ranks(*codes):
    Rank = Pool().get('mlm.rank')
    return Rank.create([{'name': c, 'code': c, 'level': i}
            for i, c in enumerate(codes, 1)])


def create_partner(name, sponsor=None, join_date=dt.date(2024, 1, 1)):
    pool = Pool()
    Party = pool.get('party.party')
    Distributor = pool.get('mlm.distributor')
    party, = Party.create([{'name': name, 'addresses': [('create', [{}])]}])
    distributor, = Distributor.create([{
                'party': party.id,
                'sponsor': sponsor.id if sponsor else None,
                'join_date': join_date,
                }])
    Distributor.set_status([distributor], 'active', join_date)
    return Distributor(distributor.id)


def create_customer(name, distributor, date=dt.date(2024, 1, 1)):
    pool = Pool()
    Party = pool.get('party.party')
    Assignment = pool.get('mlm.customer.assignment')
    party, = Party.create([{'name': name, 'addresses': [('create', [{}])]}])
    Assignment.assign(party, distributor, date)
    return party


def create_product(name, pv, cv, price):
    pool = Pool()
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Category = pool.get('product.category')
    Account = pool.get('account.account')
    unit, = Uom.search([('name', '=', 'Unit')])
    categories = [c for c in Category.search(
            [('name', '=', 'Network Products')])
        if c.account_revenue
        and c.account_revenue.company.id == Transaction().context['company']]
    if not categories:
        company = Pool().get('company.company')(
            Transaction().context['company'])
        revenue = revenue_account(company)
        expense, = Account.search([('type.expense', '=', True),
                ('closed', '!=', True), ('company', '=', company.id)],
            limit=1)
        categories = Category.create([{
                    'name': 'Network Products', 'accounting': True,
                    'account_revenue': revenue.id,
                    'account_expense': expense.id}])
    template, = Template.create([{
                'account_category': categories[0].id,
                'name': name,
                'default_uom': unit.id,
                'type': 'service',
                'list_price': Decimal(price),
                'mlm_pv': Decimal(pv),
                'mlm_cv': Decimal(cv),
                'products': [('create', [{}])],
                }])
    return template.products[0]


def revenue_account(company):
    Account = Pool().get('account.account')
    account, = Account.search([
            ('type.revenue', '=', True),
            ('company', '=', company.id),
            ('closed', '!=', True),
            ], limit=1)
    return account


def post_invoice(company, party, date, *lines):
    """Post a customer invoice of (product, quantity) lines on date"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Line = pool.get('account.invoice.line')
    invoice = Invoice(type='out', company=company, party=party,
        invoice_date=date, currency=company.currency)
    invoice.on_change_type()
    invoice.on_change_party()
    invoice.lines = [Line(type='line', product=product, quantity=quantity,
            unit=product.default_uom, unit_price=product.template.list_price,
            account=revenue_account(company), description=product.name,
            company=company, currency=company.currency)
        for product, quantity in lines]
    invoice.save()
    Invoice.post([invoice])
    return Invoice(invoice.id)


def post_volume_on(invoice, date):
    """Date the volume entries of invoice as posted on date: an invoice of
    one month posted after its cut-off (a late order)"""
    Volume = Pool().get('mlm.commission.volume')
    volume = Volume.__table__()
    Transaction().connection.cursor().execute(*volume.update(
            [volume.posting_date], [date],
            where=volume.invoice == invoice.id))


def credit_invoice(invoice, date, quantities=None):
    """Post a credit note of invoice on date (quantities per line, default
    all)"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    credit_note, = Invoice.credit([invoice])
    credit_note.invoice_date = date
    if quantities is not None:
        for line, quantity in zip(credit_note.lines, quantities):
            line.quantity = -quantity
        credit_note.lines = credit_note.lines
    credit_note.save()
    Invoice.post([credit_note])
    return Invoice(credit_note.id)


def create_plan(company, document=C1_PLAN, commissionable_on='posting'):
    pool = Pool()
    Plan = pool.get('mlm.commission.plan')
    Version = pool.get('mlm.commission.plan.version')
    plan = Plan.import_document(json.dumps(document))
    plan.commissionable_on = commissionable_on
    plan.save()
    Version.activate(list(plan.versions))
    return Plan(plan.id)


def override_rank(distributor, rank, start, end):
    RankRecord = Pool().get('mlm.rank.record')
    RankRecord.create([{
                'distributor': distributor.id,
                'period_start': start,
                'period_end': end,
                'override_rank': rank.id,
                'override_reason': 'test',
                }])


def calculate(period, **kwargs):
    "Calculate period directly (without the queue); return the run"
    pool = Pool()
    Run = pool.get('mlm.commission.run')
    run, = Run.create([{'period': period.id, 'company': period.company.id}])
    run.execute(**kwargs)
    return Run(run.id)


def amounts(period):
    "{(beneficiary name, component, kind, late): amount} of a period"
    Line = Pool().get('mlm.commission.line')
    result = {}
    for line in Line.search([('period', '=', period.id)]):
        key = (line.beneficiary.party.name, line.kind, line.late)
        result[key] = result.get(key, Decimal(0)) + line.amount
    return result


def setup_settlement(company, **values):
    "Configure the settlement: expense account, 19 % input VAT"
    pool = Pool()
    Configuration = pool.get('mlm.commission.configuration')
    Account = pool.get('account.account')
    Tax = pool.get('account.tax')
    tax_account, = Account.search([('code', '=', '6.3.4'),
            ('company', '=', company.id)])
    expense, = Account.search([('type.expense', '=', True),
            ('closed', '!=', True), ('company', '=', company.id)], limit=1)
    tax, = Tax.create([{
                'name': 'Vorsteuer 19 %', 'description': 'Vorsteuer 19 %',
                'type': 'percentage', 'rate': Decimal('0.19'),
                'invoice_account': tax_account.id,
                'credit_note_account': tax_account.id,
                'company': company.id,
                }])
    config = Configuration(1)
    config.settlement_account = expense
    config.settlement_tax = tax
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    return config


def add_identifier(party, type_, code):
    Identifier = Pool().get('party.identifier')
    Identifier.create([{'party': party.id, 'type': type_, 'code': code}])
