# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import hashlib
import re
import subprocess
import sys

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from mlm_network.tests.tools import create_distributor

from .tools import (
    IBAN, PASSWORD, TAX_NUMBER, create_country, create_legal_texts)


def create_application(company, sponsor, email='applicant@example.com',
        **values):
    pool = Pool()
    Application = pool.get('mlm.portal.application')
    WebUser = pool.get('web.user')
    LegalText = pool.get('mlm.portal.legal_text')
    contract = LegalText.current(company, 'contract')
    privacy = LegalText.current(company, 'privacy')
    application = Application(
        company=company, sponsor=sponsor, email=email,
        password_hash=WebUser.hash_password(PASSWORD), language='en',
        first_name='Paula', last_name='Probe', street='Ring 2',
        postal_code='50667', city='Köln', country=create_country(),
        birth_date=dt.date(1985, 3, 1), tax_status='regular',
        tax_number=TAX_NUMBER, iban=IBAN,
        contract=contract, contract_digest=contract.digest,
        privacy=privacy, privacy_digest=privacy.digest,
        submitted_at=dt.datetime.now(), submit_ip='192.0.2.1',
        submit_user_agent='Test')
    for name, value in values.items():
        setattr(application, name, value)
    application.save()
    return application


class PortalTestCase(CompanyTestMixin, ModuleTestCase):
    "Test mlm_portal module"
    module = 'mlm_portal'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.portal.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.opt_in_validity_days, 7)
        self.assertEqual(configuration.minimum_age, 18)

    @with_transaction()
    def test_legal_text_digest_and_immutable(self):
        "A legal text keeps its SHA-256 and is frozen once accepted"
        company = create_company()
        with set_company(company):
            contract, privacy, _ = create_legal_texts(company)
            self.assertEqual(contract.digest, hashlib.sha256(
                    contract.text.encode('utf-8')).hexdigest())
            self.assertEqual(len(contract.digest), 64)
            contract.title = "Partner Contract (new title)"
            contract.save()
            sponsor = create_distributor("Sponsor", status='active')
            create_application(company, sponsor)
            contract.text = "changed"
            with self.assertRaisesRegex(AccessError,
                    'was accepted by applicants and cannot be changed'):
                contract.save()

    @with_transaction()
    def test_confirm_places_and_attaches(self):
        "Confirming creates an active, placed distributor with the contract"
        pool = Pool()
        Structure = pool.get('mlm.structure')
        Placement = pool.get('mlm.placement')
        Attachment = pool.get('ir.attachment')
        company = create_company()
        with set_company(company):
            create_legal_texts(company)
            structure, = Structure.create([{
                        'name': "Binary", 'code': 'B', 'type': 'binary',
                        'rule': 'outer_left', 'auto_place': True}])
            sponsor = create_distributor("Sponsor", status='active')
            application = create_application(company, sponsor)
            distributor = application.confirm('198.51.100.7', 'Agent')
            self.assertEqual(distributor.status, 'active')
            self.assertEqual(distributor.party.name, 'Paula Probe')
            self.assertEqual(
                {i.type for i in distributor.party.identifiers}, {'de_stnr'})
            placement, = Placement.search([
                    ('structure', '=', structure.id),
                    ('distributor', '=', distributor.id)])
            self.assertEqual(placement.parent.distributor, sponsor)
            self.assertEqual(placement.position, 0)
            self.assertEqual(application.state, 'confirmed')
            self.assertEqual(application.confirm_ip, '198.51.100.7')
            self.assertEqual(application.web_user.party, distributor.party)
            self.assertTrue(application.web_user.email_valid)
            attachment, = Attachment.search(
                [('resource', '=', str(distributor))])
            self.assertTrue(attachment.data.startswith(b'%PDF'))
            self.assertIn(application.contract_digest, attachment.description)
            with self.assertRaisesRegex(UserError, 'is already confirmed'):
                application.confirm()

    @with_transaction()
    def test_confirm_refuses_taken_email(self):
        "A second confirmation for an address with a login is refused"
        pool = Pool()
        WebUser = pool.get('web.user')
        company = create_company()
        with set_company(company):
            create_legal_texts(company)
            sponsor = create_distributor("Sponsor", status='active')
            WebUser.create([{'email': 'applicant@example.com'}])
            application = create_application(company, sponsor)
            with self.assertRaisesRegex(UserError, 'exists already'):
                application.confirm()

    @with_transaction()
    def test_delete_expired(self):
        "The cron deletes unconfirmed applications after the validity"
        pool = Pool()
        Application = pool.get('mlm.portal.application')
        Cron = pool.get('ir.cron')
        company = create_company()
        with set_company(company):
            create_legal_texts(company)
            sponsor = create_distributor("Sponsor", status='active')
            now = dt.datetime.now()
            old = create_application(company, sponsor, 'old@example.com',
                submitted_at=now - dt.timedelta(days=8))
            recent = create_application(
                company, sponsor, 'recent@example.com',
                submitted_at=now - dt.timedelta(days=6))
            confirmed = create_application(
                company, sponsor, 'confirmed@example.com',
                submitted_at=now - dt.timedelta(days=30))
            confirmed.confirm()
            self.assertIn(
                'mlm.portal.application|delete_expired',
                dict(Cron.fields_get(['method'])['method']['selection']))
            self.assertEqual(Application.delete_expired(), 1)
            self.assertEqual(
                {a.email for a in Application.search([])},
                {'recent@example.com', 'confirmed@example.com'})
            self.assertFalse(recent.is_expired())
            del old

    @with_transaction()
    def test_profile_request_approve_and_reject(self):
        "Approved requests change the master data; rejections need a reason"
        pool = Pool()
        Request = pool.get('mlm.portal.profile_request')
        company = create_company()
        with set_company(company):
            country = create_country()
            partner = create_distributor("Partner", status='active')
            address, bank, tax = Request.create([{
                        'distributor': partner.id, 'kind': 'address',
                        'street': 'Neue Str. 5', 'postal_code': '80331',
                        'city': 'München', 'country': country.id,
                        }, {
                        'distributor': partner.id, 'kind': 'bank',
                        'iban': IBAN,
                        }, {
                        'distributor': partner.id, 'kind': 'tax',
                        'tax_status': 'small_business',
                        'tax_number': TAX_NUMBER,
                        }])
            self.assertEqual(address.summary, 'Neue Str. 5, 80331 München, DE')
            Request.approve([address, bank])
            with self.assertRaisesRegex(UserError, 'Enter a rejection reason'):
                Request.reject([tax])
            tax.rejection_reason = "Please send the tax office letter."
            tax.save()
            Request.reject([tax])
            partner = partner.__class__(partner.id)
            self.assertEqual(partner.party.addresses[0].street, 'Neue Str. 5')
            self.assertEqual(
                partner.bank_account.numbers[0].number_compact, IBAN)
            self.assertEqual(partner.tax_status, 'regular')
            self.assertEqual(
                [r.state for r in Request.search([], order=[('id', 'ASC')])],
                ['approved', 'approved', 'rejected'])
            self.assertTrue(address.decided_at)

    @with_transaction()
    def test_thread_states(self):
        "A partner message waits for support; an answer marks it answered"
        pool = Pool()
        Thread = pool.get('mlm.portal.thread')
        Message = pool.get('mlm.portal.thread.message')
        company = create_company()
        with set_company(company):
            partner = create_distributor("Partner", status='active')
            thread, = Thread.create([{
                        'distributor': partner.id, 'subject': "Question"}])
            Message.create([{
                        'thread': thread.id, 'author': 'partner',
                        'body': "Hello?"}])
            self.assertEqual(thread.state, 'open')
            message, = Message.create([{
                        'thread': thread.id, 'body': "Hello!"}])
            self.assertEqual(message.author, 'support')
            self.assertEqual(Thread(thread.id).state, 'answered')
            Thread.close([thread])
            self.assertEqual(thread.state, 'closed')

    @with_transaction()
    def test_news_targeting(self):
        "News reach every partner, a rank or a group"
        pool = Pool()
        News = pool.get('mlm.portal.news')
        Rank = pool.get('mlm.rank')
        Category = pool.get('party.category')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            rank, = Rank.create([{'name': "Gold", 'code': 'G', 'level': 1}])
            vip, = Category.create([{'name': "VIP"}])
            anna = create_distributor("Anna", status='active')
            ben = create_distributor("Ben", status='active')
            ben.party.categories = [vip]
            ben.party.save()
            News.create([{
                        'title': "All", 'body': "x", 'published': True,
                        }, {
                        'title': "Gold", 'body': "x", 'published': True,
                        'ranks': [('add', [rank.id])],
                        }, {
                        'title': "VIP", 'body': "x", 'published': True,
                        'groups': [('add', [vip.id])],
                        }, {
                        'title': "Later", 'body': "x", 'published': True,
                        'publish_date': Date.today() + dt.timedelta(days=1),
                        }])

            def titles(distributor, rank=None):
                return sorted(n.title for n in News.for_distributor(
                        distributor, rank=rank))
            self.assertEqual(titles(anna), ['All'])
            self.assertEqual(titles(anna, rank), ['All', 'Gold'])
            self.assertEqual(titles(ben), ['All', 'VIP'])

    @with_transaction()
    def test_demo_setup(self):
        "The demo creates the three portal logins on the demo network"
        from mlm_demo.network import setup_network
        from mlm_demo.portal import PORTAL_LOGINS, setup_portal
        pool = Pool()
        WebUser = pool.get('web.user')
        Thread = pool.get('mlm.portal.thread')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            today = Date.today()
            setup_network(200, today)
            summary = setup_portal(200, today)
            self.assertEqual(summary['downloads'], 2)
            Distributor = pool.get('mlm.distributor')
            leader, mid, newcomer = [
                Distributor.search([('number', '=', summary['logins'][e])])[0]
                for e, _, _ in PORTAL_LOGINS]
            self.assertGreater(leader.downline_size, mid.downline_size)
            self.assertGreater(mid.downline_size, 0)
            self.assertEqual(newcomer.downline_size, 0)
            for (email, password, _), partner in zip(
                    PORTAL_LOGINS, [leader, mid, newcomer]):
                user = WebUser.authenticate(email, password)
                self.assertEqual(user.party, partner.party)
            thread, = Thread.search([])
            self.assertEqual(thread.distributor, leader)
            self.assertEqual(thread.state, 'answered')

    def test_demo_logins_without_trytond(self):
        "The CLI imports the demo logins without importing trytond"
        result = subprocess.run([sys.executable, '-c',
                'import sys, mlm_demo.portal as p; '
                'assert "trytond" not in sys.modules; '
                'print(len(p.PORTAL_LOGINS))'],
            capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout.strip(), '3')

    def test_page_texts_translated(self):
        "Every page text has its German translation"
        from mlm_portal import i18n
        german = i18n.catalogue('de')
        self.assertEqual(
            [t for t in i18n.texts() if not german.get(t)], [])
        for text in i18n.texts():
            if '%(' in text:
                # the placeholders survive the translation
                self.assertEqual(
                    sorted(re.findall(r'%\(\w+\)s', text)),
                    sorted(re.findall(r'%\(\w+\)s', german[text])), text)


del ModuleTestCase
