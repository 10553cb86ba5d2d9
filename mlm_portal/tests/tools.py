# This file is part of the MLM suite. See LICENSE for details.
"Helpers shared by the tests of mlm_portal"
import datetime as dt
import re

from trytond.pool import Pool

CONTRACT = "§ 1 The partner sells as an independent business person."
PRIVACY = "We process your data to perform the contract."
MARKETING = "Send me news by e-mail."
PASSWORD = 'Secret-Password-1'
IBAN = 'DE89370400440532013000'
TAX_NUMBER = '2181508150'


def create_country():
    Country = Pool().get('country.country')
    countries = Country.search([('code', '=', 'DE')])
    if countries:
        return countries[0]
    country, = Country.create([{'name': "Germany", 'code': 'DE'}])
    return country


def create_legal_texts(company):
    LegalText = Pool().get('mlm.portal.legal_text')
    Date = Pool().get('ir.date')
    start = Date.today() - dt.timedelta(days=10)
    return LegalText.create([{
                'company': company.id, 'kind': kind, 'version': '1',
                'title': title, 'text': text, 'valid_from': start,
                } for kind, title, text in [
                ('contract', "Partner Contract", CONTRACT),
                ('privacy', "Privacy Notice", PRIVACY),
                ('marketing', "Marketing Consent", MARKETING),
                ]])


def create_login(distributor, email, password=PASSWORD):
    WebUser = Pool().get('web.user')
    user, = WebUser.create([{
                'email': email, 'password': password,
                'party': distributor.party.id, 'email_valid': True,
                }])
    return user


def csrf_of(html):
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else None
