# This file is part of the MLM suite. See LICENSE for details.
"""The partner import: addresses, terminated partners, bulk loading and the
set-based read helpers of the genealogy."""
import datetime as dt
import io

from sql.aggregate import Count

from trytond import backend
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from mlm_network import bulk
from mlm_network.distributor import fetch_rows, path_prefix_where
from mlm_network.partner_import import import_partners

from .tools import DatabaseTestCase, day

HEADER = ('number,name,sponsor,join_date,status,iban,street,postal_code,'
    'city,country,termination_date,termination_reason\n')


def create_countries():
    Country = Pool().get('country.country')
    return Country.create([
            {'name': "Deutschland", 'code': 'DE', 'code3': 'DEU'},
            {'name': "Österreich", 'code': 'AT', 'code3': 'AUT'},
            ])


class ImportTestCase(DatabaseTestCase):
    "Test the partner import and the genealogy read helpers"
    modules = ('mlm_network',)

    @with_transaction()
    def test_import_addresses(self):
        "Each partner with an address gets it as the party address"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Address = pool.get('party.address')
        company = create_company()
        germany, austria = create_countries()
        with set_company(company):
            report = import_partners(io.StringIO(
                    HEADER
                    + '1,Anna,,2025-01-01,,,Hauptstraße 1,10115,Berlin,,,\n'
                    + '2,Ben,1,2025-02-01,,,Ring 7,1010,Wien,at,,\n'
                    + '3,Carla,1,2025-03-01,,,,,,,,\n'))
            self.assertEqual(report.errors, [])
            self.assertEqual(
                (report.created, report.addresses, report.terminated),
                (3, 2, 0))
            anna, ben, carla = Distributor.search(
                [], order=[('number', 'ASC')])
            address = anna.party.address_get()
            self.assertEqual(
                (address.street, address.postal_code, address.city,
                    address.country),
                ("Hauptstraße 1", '10115', "Berlin", germany))
            address = ben.party.address_get()
            self.assertEqual(
                (address.street, address.postal_code, address.city,
                    address.country),
                ("Ring 7", '1010', "Wien", austria))
            self.assertEqual(carla.party.addresses, ())
            self.assertEqual(
                Address.search([('party.code', 'like', 'VP%')], count=True),
                2)

    @with_transaction()
    def test_import_terminated(self):
        "Terminated partners keep their place with date, reason and event"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Event = pool.get('mlm.genealogy.event')
        company = create_company()
        create_countries()
        terminated = day(10)
        with set_company(company):
            report = import_partners(io.StringIO(
                    HEADER
                    + '1,Anna,,2025-01-01,,,,,,,,\n'
                    + '2,Ben,1,2025-02-01,terminated,,,,,,%s,Umzug\n'
                    % terminated
                    + '3,Carla,2,2025-03-01,terminated,,,,,,%s,\n'
                    % terminated))
            self.assertEqual(report.errors, [])
            self.assertEqual((report.created, report.terminated), (3, 2))
            anna, ben, carla = Distributor.search(
                [], order=[('number', 'ASC')])
            self.assertEqual(
                (ben.status, ben.status_date, ben.termination_date,
                    ben.status_reason),
                ('terminated', terminated, terminated, "Umzug"))
            self.assertEqual(
                (carla.status, carla.status_reason),
                ('terminated', None))
            self.assertEqual(anna.status_date, dt.date(2025, 1, 1))
            self.assertEqual(carla.upline, [ben, anna])
            event, = Event.search([
                    ('kind', '=', 'status'), ('distributor', '=', ben.id)])
            self.assertEqual(
                (event.valid_from, event.old_status, event.new_status,
                    event.reason),
                (terminated, 'active', 'terminated', "Umzug"))
            self.assertEqual(Event.search([], count=True), 5)

    @with_transaction()
    def test_import_broken_addresses_and_terminations(self):
        "Every bad address and termination is listed, nothing is written"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        create_countries()
        future = day(-1)
        with set_company(company):
            report = import_partners(io.StringIO(
                    HEADER
                    + '1,Anna,,2025-01-01,terminated,,,,,,2025-06-01,\n'
                    + '2,Ben,1,2025-02-01,,,,,,,,\n'
                    + '3,Carla,,2025-02-01,,,Weg 1,10115,,,,\n'
                    + '4,Dora,1,2025-07-01,terminated,,,,,,2025-08-01,\n'
                    + '5,Emil,,2025-02-01,terminated,,,,,,2025-01-15,\n'
                    + '6,Finn,,2025-01-01,terminated,,,,,,%s,\n' % future
                    + '7,Gina,,2025-01-01,terminated,,,,,,,Umzug\n'
                    + '8,Hugo,,2025-01-01,active,,,,,,2025-06-01,Umzug\n'
                    + '9,Ida,,2025-01-01,,,Weg 2,1234,Köln,,,\n'
                    + '10,Jan,,2025-01-01,,,Weg 3,1010,Wien,XX,,\n'
                    ))
            self.assertEqual(report.errors, [
                    (3, 'Line 3: the sponsor 1 is terminated; only '
                        'terminated partners can remain below a terminated '
                        'sponsor.'),
                    (4, 'Line 4: city is required when street, postal_code '
                        'or country is given.'),
                    (5, 'Line 5: the sponsor 1 was terminated on 2025-06-01, '
                        'before this partner joined.'),
                    (6, 'Line 6: the termination date 2025-01-15 is before '
                        'the join date 2025-02-01.'),
                    (7, 'Line 7: the termination date %s is in the future.'
                        % future),
                    (8, 'Line 8: termination_date is required for a '
                        'terminated partner.'),
                    (9, 'Line 9: termination_date is only allowed with the '
                        'status terminated.'),
                    (9, 'Line 9: termination_reason is only allowed with the '
                        'status terminated.'),
                    (10, 'Line 10: "1234" is not a valid postal code for '
                        'DE.'),
                    (11, 'Line 11: the country "XX" is unknown (ISO code of '
                        'a country in the database).'),
                    ])
            self.assertEqual(Distributor.search([], count=True), 0)

    @with_transaction()
    def test_import_bulk_loading(self):
        "The bulk path drops and rebuilds indexes but keeps the constraints"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Number = pool.get('bank.account.number')
        company = create_company()
        create_countries()
        threshold = bulk.REBUILD_THRESHOLD
        bulk.REBUILD_THRESHOLD = 0
        try:
            with set_company(company):
                report = import_partners(io.StringIO(
                        HEADER
                        + '1,Anna,,2025-01-01,,DE89370400440532013000,'
                        'Weg 1,10115,Berlin,,,\n'
                        + '2,Ben,1,2025-02-01,,,,,,,,\n'))
        finally:
            bulk.REBUILD_THRESHOLD = threshold
        self.assertEqual(report.errors, [])
        anna, ben = Distributor.search([], order=[('number', 'ASC')])
        self.assertEqual(ben.upline, [anna])
        self.assertEqual(
            Distributor.search(Distributor.downline_domain(anna), count=True),
            1)
        if backend.name == 'postgresql':
            cursor = Transaction().connection.cursor()
            cursor.execute("SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'bank_account_number'::regclass "
                "AND contype = 'x' ORDER BY conname")
            self.assertEqual([n for n, in cursor], [
                    'bank_account_number_account_iban_active_exclude',
                    'bank_account_number_number_iban_active_exclude'])
            cursor.execute("SELECT COUNT(*) FROM pg_constraint "
                "WHERE conrelid = 'mlm_distributor'::regclass "
                "AND contype = 'f' AND NOT convalidated")
            self.assertEqual(cursor.fetchone(), (0,))
        self.assertEqual(Number.search([], count=True), 1)

    @with_transaction()
    def test_upline_values_and_prefix(self):
        "Upline rows and prefix conditions, short and beyond the index"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        lines = ['number,name,sponsor,join_date']
        # 300 levels: paths longer than the indexed 1,000 characters
        for index in range(300):
            lines.append('%s,P%s,%s,2025-01-01' % (
                    5000 + index, index, 5000 + index - 1 if index else ''))
        lines.append('9000,Side,5000,2025-01-01')
        with set_company(company):
            report = import_partners(io.StringIO('\n'.join(lines) + '\n'))
            self.assertEqual(report.errors, [])
            by_number = {d.number: d for d in Distributor.search([])}
            deepest = by_number['5299']
            self.assertEqual(
                deepest.upline_values()[:2],
                [(by_number['5298'].id, '5298'), (by_number['5297'].id,
                        '5297')])
            self.assertEqual(len(deepest.upline_values()), 299)
            self.assertEqual(
                deepest.upline_values(['depth'])[-1],
                (by_number['5000'].id, 0))
            self.assertEqual(
                fetch_rows(Distributor,
                    [by_number['9000'].id], ['number', 'depth', 'join_date']),
                {by_number['9000'].id: ('9000', 1, dt.date(2025, 1, 1))})
            self.assertEqual(
                deepest.upline_values(['join_date', 'termination_date'])[0],
                (by_number['5298'].id, dt.date(2025, 1, 1), None))
            table = Distributor.__table__()
            cursor = Transaction().connection.cursor()
            for number, size in [('5000', 300), ('5100', 199),
                    ('5290', 9), ('9000', 0)]:
                top = by_number[number]
                cursor.execute(*table.select(Count(table.id),
                        where=path_prefix_where(
                            table.path, top.path, table.depth)
                        & (table.id != top.id)))
                self.assertEqual(cursor.fetchone()[0], size, number)
                self.assertEqual(top.downline_size, size)
            self.assertGreater(len(by_number['5290'].path), 1000)
