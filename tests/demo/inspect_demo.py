# This file is part of the MLM suite. See LICENSE for details.
"""Print the demo database's key facts as JSON (run in its own process).

    python -m tests.demo.inspect_demo CONFIG DATABASE
"""
import json
import sys


def facts():
    from trytond.pool import Pool
    pool = Pool()
    Account = pool.get('account.account')
    Company = pool.get('company.company')
    Configuration = pool.get('ir.configuration')
    Period = pool.get('account.period')
    PriceList = pool.get('product.price_list')
    Product = pool.get('product.product')
    User = pool.get('res.user')
    company, = Company.search([])
    price_list, = PriceList.search([('name', '=', "Partnerpreise")])
    return {
        'company': company.rec_name,
        'currency': company.currency.code,
        'country': company.party.addresses[0].country.code,
        'vat_id': company.party.identifiers[0].code,
        'default_language': Configuration.get_language(),
        'periods': Period.search_count([('type', '=', 'standard')]),
        'accounts': {code: Account.search([('code', '=', code)])[0].name
            for code in ['1200', '1400', '1600', '1776', '1771', '3400',
                '4760', '8300', '8400']},
        'products': [
            [product.code, str(product.template.list_price),
                str(price_list.compute(product, 1, product.default_uom)),
                vat_on_100(product)]
            for product in Product.search([], order=[('code', 'ASC')])],
        'admin_language': User.search([('login', '=', 'admin')])[0]
        .language.code,
        'users': sorted(
            [user.login, user.language.code if user.language else None,
                sorted(group.name for group in user.groups)]
            for user in User.search([('login', 'not in', ['admin'])])),
        }


def vat_on_100(product):
    "VAT amounts on a net 100.00 sale of the product today."
    from decimal import Decimal

    from trytond.pool import Pool
    pool = Pool()
    Date = pool.get('ir.date')
    Tax = pool.get('account.tax')
    taxes = Tax.browse(product.customer_taxes_used)
    return [str(line['amount'])
        for line in Tax.compute(taxes, Decimal('100.00'), 1, Date.today())]


def main(config_file, database):
    from mlm_cli.settings import Settings
    Settings(config_file).apply()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(database).init()
    with Transaction().start(database, 0, readonly=True) as transaction:
        User = Pool().get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        with transaction.set_user(admin.id), transaction.set_context(
                company=admin.company.id, language='en'):
            return facts()


if __name__ == '__main__':
    print(json.dumps(main(*sys.argv[1:3]), indent=1, ensure_ascii=False))
