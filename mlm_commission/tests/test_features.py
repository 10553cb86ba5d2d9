# This file is part of the MLM suite. See LICENSE for details.
"Settlement edge cases, volumes per price list and the what-if wizard"
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_commission.exceptions import SettlementError
from mlm_network.tests.tools import DatabaseTestCase

from .test_module import create_users
from .tools import (
    C1_PLAN, add_identifier, amounts, calculate, create_customer,
    create_partner, create_plan, create_product, create_ranks,
    credit_invoice, post_invoice, setup_company, setup_settlement)

D = Decimal
JULY = dt.date(2024, 7, 1)


def approve(period, approver):
    Period = Pool().get('mlm.commission.period')
    with Transaction().set_user(approver.id):
        Period.approve([Period(period.id)])
    return Period(period.id)


class CommissionFeaturesTestCase(DatabaseTestCase):
    "Settlement edge cases, price-list volumes, what-if wizard"
    modules = ('mlm_commission',)

    @with_transaction()
    def test_blocked_and_carried_statements(self):
        "No invoice address blocks; carried and blocked get a statement"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Settlement = pool.get('mlm.commission.settlement')
        Attachment = pool.get('ir.attachment')
        Address = pool.get('party.address')
        Report = pool.get('mlm.commission.settlement.statement', type='report')
        company = setup_company()
        approver, = create_users('approver')
        with set_company(company):
            create_ranks('Consultant', 'Manager')
            top = create_partner("Top")
            homeless = create_partner("Homeless", top)
            small = create_partner("Small", top)
            mover = create_partner("Mover", top)
            for partner in [top, homeless, small, mover]:
                add_identifier(partner.party, 'de_stnr', '181/815/08155')
            Address.delete(list(homeless.party.addresses))
            setup_settlement(company, minimum_payout=D('25'))
            plan = create_plan(company)
            july = Period.create_for(plan, JULY)
            product = create_product("Kit", '100', '100', '100')
            big = create_product("Big", '1000', '1000', '1000')
            post_invoice(company, top.party, dt.date(2024, 7, 3), (big, 1))
            post_invoice(company, small.party, dt.date(2024, 7, 4),
                (product, 1))
            # the homeless partner cannot be invoiced: its customer buys
            customer = create_customer("Customer", homeless)
            post_invoice(company, customer, dt.date(2024, 7, 5), (big, 1))
            post_invoice(company, create_customer("Client", mover),
                dt.date(2024, 7, 6), (big, 1))
            calculate(july)
            july = approve(july, approver)
            Period.settle([july])
            settlements = {s.distributor.party.name: s
                for s in Settlement.search([('period', '=', july.id)])}
            self.assertEqual(
                {n: (s.state, s.earned, s.net, s.carried_out)
                    for n, s in settlements.items()}, {
                    'Top': ('draft', D('50.00'), D('50.00'), D('0.00')),
                    'Homeless': ('blocked', D('50.00'), D('0.00'),
                        D('50.00')),
                    'Small': ('carried', D('5.00'), D('0.00'), D('5.00')),
                    'Mover': ('draft', D('50.00'), D('50.00'), D('0.00')),
                    })
            self.assertEqual(settlements['Homeless'].blocked_reason,
                '"%s" has no invoice address; the commission is blocked '
                'until an address is entered on the party.'
                % homeless.rec_name)
            # carried and blocked settlements have a statement that says why
            blocked, = Attachment.search([
                    ('resource', '=', str(homeless.party)),
                    ('name', 'like', 'Provisionsabrechnung 2024-07 %')])
            self.assertEqual(blocked.name, 'Provisionsabrechnung 2024-07 %s'
                '.pdf' % homeless.number)
            for text in [rb'Provisionsabrechnung \(ohne Auszahlung\)',
                    b'Auszahlung gesperrt', b'no invoice address',
                    b'Der Betrag von 50,00 EUR wird vorgetragen.']:
                self.assertIn(text, blocked.data)
            carried, = Attachment.search([
                    ('resource', '=', str(small.party)),
                    ('name', 'like', 'Provisionsabrechnung %')])
            self.assertIn(b'der Betrag von 5,00 EUR liegt unter der '
                b'Mindestauszahlung von 25,00 EUR', carried.data)
            self.assertEqual(Attachment.search([
                        ('resource', '=', str(Period(july.id))),
                        ('name', 'like', 'Provisionsabrechnung %')],
                    count=True), 2)
            # settling again replaces the statements, it does not add
            Period.settle([Period(july.id)])
            self.assertEqual(Attachment.search([
                        ('name', 'like', 'Provisionsabrechnung %')],
                    count=True), 4)
            # any settlement prints as a preview from the client
            draft, = Settlement.search([('state', '=', 'draft'),
                    ('distributor', '=', top.id)])
            kind, data, _, name = Report.execute([draft.id], {})
            self.assertEqual(kind, 'pdf')
            self.assertIn(rb'Provisionsabrechnung \(Entwurf\)', data)
            self.assertEqual(name, 'Provisionsabrechnung 2024-07 %s'
                % top.number)
            # an address removed after settling stops the posting cleanly
            Address.delete(list(mover.party.addresses))
            moved, = Settlement.search([('distributor', '=', mover.id)])
            with self.assertRaises(SettlementError) as error:
                Settlement.post([moved])
            self.assertEqual(error.exception.message,
                '"%s" has no invoice address; the commission is blocked '
                'until an address is entered on the party.' % mover.rec_name)

    @with_transaction()
    def test_volumes_per_price_list(self):
        "Partners buying at the partner price list get its PV and CV"
        pool = Pool()
        PriceList = pool.get('product.price_list')
        Party = pool.get('party.party')
        Volume = pool.get('mlm.commission.volume')
        Template = pool.get('product.template')
        company = setup_company()
        with set_company(company):
            partner = create_partner("Anna")
            customer = create_customer("Carl", partner)
            kit = create_product("Kit", '30', '25', '40')
            bare = create_product("Bare", '0', '0', '10')
            partner_prices, = PriceList.create([{
                        'name': "Partnerpreise", 'price': 'list_price',
                        'company': company.id}])
            Template.write([kit.template], {'mlm_price_list_volumes': [
                        ('create', [{'price_list': partner_prices.id,
                                'pv': D('22.50'), 'cv': D('18.00')}])]})
            # a product without own volume can have price-list volume
            Template.write([bare.template], {'mlm_price_list_volumes': [
                        ('create', [{'price_list': partner_prices.id,
                                'pv': D('1.25'), 'cv': D('0')}])]})
            Party.write([partner.party],
                {'sale_price_list': partner_prices.id})
            own = post_invoice(company, partner.party, dt.date(2024, 7, 3),
                (kit, 3), (bare, 2))
            post_invoice(company, customer, dt.date(2024, 7, 4), (kit, 2),
                (bare, 2))
            self.assertEqual(
                [(e.party.name, e.product.name, e.pv, e.cv)
                    for e in Volume.search([], order=[('id', 'ASC')])],
                [('Anna', 'Kit', D('67.50'), D('54.00')),
                    ('Anna', 'Bare', D('2.50'), D('0.00')),
                    ('Carl', 'Kit', D('60.00'), D('50.00'))])
            # a credit note returns the order's volume per unit
            Template.write([kit.template], {'mlm_pv': D('99')})
            credit_invoice(own, dt.date(2024, 7, 10), [1, 0])
            ret, = Volume.search([('kind', '=', 'return')])
            self.assertEqual((ret.pv, ret.cv), (D('-22.50'), D('-18.00')))

    @with_transaction()
    def test_what_if_wizard(self):
        "The wizard compares a draft version without writing anything"
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Version = pool.get('mlm.commission.plan.version')
        Line = pool.get('mlm.commission.line')
        WhatIf = pool.get('mlm.commission.what_if', type='wizard')
        Export = pool.get('mlm.commission.what_if.export', type='report')
        company = setup_company()
        approver, = create_users('approver')
        with set_company(company):
            create_ranks('Consultant', 'Manager')
            u = create_partner("U")
            e = create_partner("E", u)
            customer = create_customer("Customer", e)
            product = create_product("Product", '1000', '1000', '1000')
            plan = create_plan(company)
            july = Period.create_for(plan, JULY)
            post_invoice(company, customer, dt.date(2024, 7, 15),
                (product, 1))
            calculate(july)
            july = approve(july, approver)
            with Transaction().set_user(approver.id):
                Period.close([july])
            before = (Period(july.id).closing_hash,
                Line.search([], count=True), amounts(july))
            document = json.loads(json.dumps(C1_PLAN['versions'][0]))
            document['id'] = 'draft'
            document['components']['stairstep']['rates'] = {
                'Consultant': '0.06', 'Manager': '0.10'}
            draft, = Version.create([{'plan': plan.id, 'code': 'draft',
                        'valid_from': dt.date(2024, 1, 1),
                        'document': json.dumps(document)}])

            with Transaction().set_context(
                    active_model='mlm.commission.period',
                    active_id=july.id, active_ids=[july.id]):
                session_id, _, _ = WhatIf.create()
                wizard = WhatIf(session_id)
                start = wizard.default_start(None)
                self.assertEqual(start,
                    {'period': july.id, 'plan': plan.id})
                wizard.start.period = july
                wizard.start.version = draft
                result = wizard.default_result(None)
            self.assertEqual(
                (result['stored'], result['simulated'],
                    result['difference']),
                (D('50.00'), D('60.00'), D('10.00')))
            self.assertEqual(
                [(l['distributor'], l['stored'], l['simulated'],
                        l['difference']) for l in result['lines']],
                [(e.id, D('50.00'), D('60.00'), D('10.00'))])
            action, data = wizard.do_export({})
            kind, xlsx, _, name = Export.execute([], data)
            self.assertEqual((kind, name), ('xlsx', 'What-if 2024-07 draft'))
            sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read(
                'xl/sharedStrings.xml')
            self.assertIn(b'Difference', sheet)
            self.assertEqual(before, (Period(july.id).closing_hash,
                    Line.search([], count=True), amounts(july)))
            self.assertIsNone(Period.verify_chain())
