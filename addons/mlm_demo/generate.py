# This file is part of the MLM suite. See LICENSE for details.
"""Generate the demo company, reusable by the demo command, tests and benchmarks.

    python -m mlm_demo.generate --config config/demo.conf --database mlm_demo

``generate(config, size, today)`` works on any proteus configuration. The
company, chart and users are set up through proteus; the organisation, the
portal content and the commission history are bulk work done server-side by
each module's demo step (``network``, ``portal``, ``commission``).
"""
import argparse
import datetime as dt
import sys
from decimal import Decimal

from proteus import Model, Wizard
from proteus import config as proteus_config
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .users import DEMO_USERS

COMPANY_NAME = "Vitalis Vertrieb GmbH"
CHART = 'account_de_skr03.root_de'
RECEIVABLE, PAYABLE = '1400', '1600'
REVENUE, EXPENSE = '8400', '3400'
VAT_STANDARD = "Umsatzsteuer – Normalsatz"
VAT_REDUCED = "Umsatzsteuer – Ermäßigter Satz"
INPUT_VAT_STANDARD = "Vorsteuer – Normalsatz"

# (code, name, retail price, partner price, VAT rate of the product); net
# prices in EUR. Partners buy at the partner price list "Partnerpreise".
PRODUCTS = [
    ('VIT-100', "Vitalkomplex 60 Kapseln", '39.90', '29.90', 'reduced'),
    ('VIT-110', "Omega-3 Premium 90 Kapseln", '29.90', '22.40', 'reduced'),
    ('VIT-120', "Proteinshake Vanille 500 g", '34.50', '25.90', 'reduced'),
    ('VIT-130', "Kollagen Drink 30 Portionen", '49.00', '36.75', 'reduced'),
    ('BEA-200', "Aloe Vera Gesichtscreme 50 ml", '24.90', '18.70', 'standard'),
    ('BEA-210', "Hyaluron Serum 30 ml", '39.00', '29.25', 'standard'),
    ('HOM-300', "Wasserfilter Kompakt", '119.00', '89.25', 'standard'),
    ('STA-900', "Starterpaket Vertriebspartner", '99.00', '74.25', 'standard'),
    ]


def in_transaction(config, func, context=None):
    """Run func() in a committed server-side transaction of the proteus
    configuration's database.

    Tryton 8 restarts a transaction that needs a table lock with the lock
    taken first (TransactionError.fix); a script has to do the retry itself.
    """
    extras = {}
    while True:
        with Transaction().start(config.database_name, config.user,
                context=context or {}, **extras) as transaction:
            try:
                return func()
            except TransactionError as error:
                transaction.rollback()
                transaction.tasks.clear()
                error.fix(extras)


def setup_language(config, today, size):
    "German and English translations."
    Lang = Model.get('ir.lang')
    for lang in Lang.find([('code', 'in', ['de', 'en'])]):
        lang.translatable = True
        lang.save()


def setup_company(config, today, size):
    "A German GmbH in EUR with its fiscal year and SKR03 chart."
    from trytond.modules.account.tests.tools import (
        create_fiscalyear)
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences)
    from trytond.modules.company.tests.tools import create_company
    from trytond.modules.currency.tests.tools import get_currency

    Country = Model.get('country.country')
    Party = Model.get('party.party')
    germany = Country(name="Deutschland", code='DE', code3='DEU')
    germany.save()
    party = Party(name=COMPANY_NAME)
    address, = party.addresses
    address.street = "Musterstraße 12"
    address.postal_code = '10115'
    address.city = "Berlin"
    address.country = germany
    identifier = party.identifiers.new(type='eu_vat')
    identifier.code = 'DE123456788'
    party.save()
    create_company(party, get_currency('EUR'))

    # Last year too: the demo's order history reaches back six months.
    for year in (today.year - 1, today.year):
        fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
                today=(dt.date(year, 1, 1), dt.date(year, 12, 31))))
        fiscalyear.click('create_period')
    create_skr03_chart()


def create_skr03_chart():
    Account = Model.get('account.account')
    AccountTemplate = Model.get('account.account.template')
    ModelData = Model.get('ir.model.data')
    Company = Model.get('company.company')
    company, = Company.find()
    chart = Wizard('account.create_chart')
    chart.execute('account')
    chart.form.account_template = AccountTemplate(
        ModelData.get_id(*CHART.split('.'), {}))
    chart.form.company = company
    chart.execute('create_account')
    code = lambda c: Account.find([('code', '=', c)])[0]  # noqa: E731
    chart.form.account_receivable = code(RECEIVABLE)
    chart.form.account_payable = code(PAYABLE)
    chart.form.category_account_revenue = code(REVENUE)
    chart.form.category_account_expense = code(EXPENSE)
    chart.execute('create_properties')


def setup_products(config, today, size):
    "Products with retail (list) prices and the partner price list."
    Account = Model.get('account.account')
    Category = Model.get('product.category')
    PriceList = Model.get('product.price_list')
    Tax = Model.get('account.tax')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    revenue, = Account.find([('code', '=', REVENUE)])
    expense, = Account.find([('code', '=', EXPENSE)])
    taxes = {
        'standard': Tax.find([('name', '=', VAT_STANDARD)])[0],
        'reduced': Tax.find([('name', '=', VAT_REDUCED)])[0],
        }
    supplier_tax, = Tax.find([('name', '=', INPUT_VAT_STANDARD)])
    categories = {}
    for kind, name in [
            ('standard', "Waren 19 % USt"), ('reduced', "Waren 7 % USt")]:
        category = Category(name=name, accounting=True)
        category.account_revenue = revenue
        category.account_expense = expense
        category.customer_taxes.append(Tax(taxes[kind].id))
        category.supplier_taxes.append(Tax(supplier_tax.id))
        category.save()
        categories[kind] = category
    price_list = PriceList(name="Partnerpreise", price='list_price')
    for code, name, retail, partner, kind in PRODUCTS:
        template = Template(name=name, type='goods', default_uom=unit)
        template.salable = True
        template.list_price = Decimal(retail)
        template.account_category = categories[kind]
        template.code = code
        template.save()
        line = price_list.lines.new(product=template.products[0])
        line.formula = f'Decimal("{partner}")'
    price_list.save()


def setup_users(config, today, size):
    "One user per MLM group, all in German."
    Group = Model.get('res.group')
    Lang = Model.get('ir.lang')
    ModelData = Model.get('ir.model.data')
    User = Model.get('res.user')
    Company = Model.get('company.company')
    company, = Company.find()
    german, = Lang.find([('code', '=', 'de')])
    for demo_user in DEMO_USERS:
        user = User(login=demo_user.login, name=demo_user.name)
        user.password = demo_user.password
        user.language = german
        user.companies.append(Company(company.id))
        user.company = company
        user.groups.append(Group(ModelData.get_id(
                    'mlm_network', demo_user.group, {})))
        user.save()


def setup_default_language(config, today, size):
    "German as default language (last: the steps above look up English names)."
    Lang = Model.get('ir.lang')
    User = Model.get('res.user')
    german, = Lang.find([('code', '=', 'de')])
    admin, = User.find([('login', '=', 'admin')])
    admin.language = german
    admin.save()
    def set_configuration_language():
        # ir.configuration is not exposed over RPC: set it server-side.
        Configuration = Pool().get('ir.configuration')
        configuration = Configuration(1)
        configuration.language = 'de'
        configuration.save()
    in_transaction(config, set_configuration_language)


def close_setup_wizards(config, today, size):
    "Mark the module set-up wizards as done: the demo is configured."
    Item = Model.get('ir.module.config_wizard.item')
    items = Item.find([('state', '!=', 'done')])
    for item in items:
        item.state = 'done'
    Item.save(items)


def setup_business(config, today, size):
    "Network, portal content and commission history (server-side, bulk)."
    from . import commission, network, portal
    Company = Model.get('company.company')
    company, = Company.find()
    for name, step in [
            ("network", network.setup_network),
            ("portal", portal.setup_portal),
            ("commission", commission.setup_commission)]:
        summary = in_transaction(config, lambda: step(size, today),
            context={'company': company.id})
        print(f"    {name}: {summary}", flush=True)


STEPS = [
    setup_language, setup_company, setup_products, setup_users,
    setup_business, close_setup_wizards, setup_default_language]


def generate(config, size, today):
    for step in STEPS:
        print(f"  {step.__doc__.splitlines()[0]}", flush=True)
        step(config, today, size)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', required=True)
    parser.add_argument('--database', required=True)
    parser.add_argument('--size', type=int, default=2000)
    parser.add_argument('--today', type=dt.date.fromisoformat,
        default=dt.date.today())
    args = parser.parse_args(argv)
    from mlm_cli.settings import Settings
    Settings(args.config).apply()
    config = proteus_config.set_trytond(args.database)
    generate(config, args.size, args.today)
    return 0


if __name__ == '__main__':
    sys.exit(main())
