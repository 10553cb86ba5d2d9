# This file is part of the MLM suite. See LICENSE for details.
"""Validation of the portal forms.

Each validator takes the submitted values and returns (clean values,
errors) where errors maps a field name to the translated message shown
next to the field."""
import datetime as dt
import re

from stdnum import iban as iban_
from stdnum.de import stnr
from stdnum.eu import vat

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools.email_ import EmailNotValidError, validate_email

MIN_PASSWORD = 10
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$')
TAX_STATUSES = ('regular', 'small_business', 'reverse_charge')


def msg(msg_id, **kwargs):
    return gettext('mlm_portal.' + msg_id, **kwargs)


def required(values, errors, names):
    for name in names:
        if not values.get(name):
            errors.setdefault(name, msg('msg_field_required'))


def check_email(values, errors, name='email'):
    if values.get(name):
        if not EMAIL.match(values[name]):
            errors.setdefault(name, msg('msg_email_invalid'))
        else:
            try:
                validate_email(values[name])
            except EmailNotValidError:
                errors.setdefault(name, msg('msg_email_invalid'))
        values[name] = values[name].lower()


def check_password(values, errors, name='password', confirm='password2'):
    password = values.get(name) or ''
    if password and len(password) < MIN_PASSWORD:
        errors.setdefault(name, msg('msg_password_short', length=MIN_PASSWORD))
    if password and values.get(confirm) != password:
        errors.setdefault(confirm, msg('msg_password_mismatch'))


def parse_date(values, errors, name):
    text = values.get(name)
    if not text:
        return None
    for format_ in ('%Y-%m-%d', '%d.%m.%Y'):
        try:
            return dt.datetime.strptime(text, format_).date()
        except ValueError:
            continue
    errors.setdefault(name, msg('msg_date_invalid'))


def age_on(birth_date, today):
    return today.year - birth_date.year - (
        (today.month, today.day) < (birth_date.month, birth_date.day))


def check_iban(values, errors, name='iban'):
    if values.get(name):
        if not iban_.is_valid(values[name]):
            errors.setdefault(name, msg('msg_iban_invalid'))
        else:
            values[name] = iban_.compact(values[name])


def check_tax(values, errors):
    status = values.get('tax_status')
    if status not in TAX_STATUSES:
        errors.setdefault('tax_status', msg('msg_field_required'))
        return
    number, vat_id = values.get('tax_number'), values.get('vat_id')
    if number:
        if stnr.is_valid(number):
            values['tax_number'] = stnr.compact(number)
        else:
            errors.setdefault('tax_number', msg('msg_tax_number_invalid'))
    if vat_id:
        if vat.is_valid(vat_id):
            values['vat_id'] = vat.compact(vat_id)
        else:
            errors.setdefault('vat_id', msg('msg_vat_id_invalid'))
    if status == 'regular' and not number and not vat_id:
        errors.setdefault('tax_number', msg('msg_tax_id_required'))
    if status == 'reverse_charge' and not vat_id:
        errors.setdefault('vat_id', msg('msg_vat_id_required'))


def country(values, errors, name='country'):
    Country = Pool().get('country.country')
    code = (values.get(name) or '').upper()
    if code:
        countries = Country.search([('code', '=', code)], limit=1)
        if countries:
            return countries[0]
        errors.setdefault(name, msg('msg_country_invalid'))


REGISTRATION_FIELDS = [
    'email', 'password', 'password2', 'first_name', 'last_name', 'street',
    'postal_code', 'city', 'country', 'phone', 'birth_date', 'tax_status',
    'tax_number', 'vat_id', 'iban', 'accept_contract', 'accept_privacy',
    'accept_marketing']
LENGTHS = {
    'email': 200, 'first_name': 100, 'last_name': 100, 'street': 200,
    'postal_code': 20, 'city': 100, 'phone': 50, 'tax_number': 30,
    'vat_id': 30, 'iban': 50, 'country': 2, 'subject': 200, 'body': 10000,
    }


def check_lengths(values, errors):
    for name, length in LENGTHS.items():
        if values.get(name) and len(values[name]) > length:
            errors.setdefault(name, msg('msg_field_too_long', length=length))


def registration(values, today, minimum_age):
    errors = {}
    required(values, errors, [
            'email', 'password', 'password2', 'first_name', 'last_name',
            'street', 'postal_code', 'city', 'country', 'birth_date',
            'tax_status', 'iban'])
    check_lengths(values, errors)
    check_email(values, errors)
    check_password(values, errors)
    birth_date = parse_date(values, errors, 'birth_date')
    if birth_date:
        if birth_date > today:
            errors.setdefault('birth_date', msg('msg_date_invalid'))
        elif age_on(birth_date, today) < minimum_age:
            errors.setdefault('birth_date', msg(
                    'msg_minimum_age', age=minimum_age))
    values['birth_date'] = birth_date
    values['country_record'] = country(values, errors)
    check_tax(values, errors)
    check_iban(values, errors)
    if not values.get('accept_contract'):
        errors['accept_contract'] = msg('msg_contract_required')
    if not values.get('accept_privacy'):
        errors['accept_privacy'] = msg('msg_privacy_required')
    return values, errors


def address(values):
    errors = {}
    required(values, errors, ['street', 'postal_code', 'city', 'country'])
    check_lengths(values, errors)
    values['country_record'] = country(values, errors)
    return values, errors


def bank(values):
    errors = {}
    required(values, errors, ['iban'])
    check_lengths(values, errors)
    check_iban(values, errors)
    return values, errors


def tax(values):
    errors = {}
    check_lengths(values, errors)
    check_tax(values, errors)
    return values, errors


def message(values, subject=True):
    errors = {}
    required(values, errors, ['subject', 'body'] if subject else ['body'])
    check_lengths(values, errors)
    return values, errors
