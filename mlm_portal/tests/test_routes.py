# This file is part of the MLM suite. See LICENSE for details.
"Route tests of every portal page and every refusal"
import datetime as dt
import io
import re
from unittest.mock import patch

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME, Client, RouteTestCase
from trytond.wsgi import app
from trytond.transaction import Transaction

from mlm_network.tests.tools import create_distributor

from .tools import (
    IBAN, PASSWORD, TAX_NUMBER, create_country, create_legal_texts,
    create_login, csrf_of)

BASE = '/%s/portal' % DB_NAME


class PortalClient(Client):
    "A browser on loopback"

    def open(self, *args, **kwargs):
        kwargs.setdefault('environ_base', {'REMOTE_ADDR': '127.0.0.1'})
        return super().open(*args, **kwargs)


class PortalRouteTestCase(RouteTestCase):
    "Portal routes"
    module = 'mlm_portal'
    ids = {}

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        Thread = pool.get('mlm.portal.thread')
        Message = pool.get('mlm.portal.thread.message')
        News = pool.get('mlm.portal.news')
        Download = pool.get('mlm.portal.download')
        Rank = pool.get('mlm.rank')
        RankRecord = pool.get('mlm.rank.record')
        Date = pool.get('ir.date')
        company = create_company()
        with set_company(company):
            create_country()
            create_legal_texts(company)
            root = create_distributor("Root Company", status='active')
            anna = create_distributor(
                "Anna Leader", sponsor=root, status='active')
            ben = create_distributor(
                "Ben Builder", sponsor=anna, status='active')
            carl = create_distributor(
                "Carl Newcomer", sponsor=ben, status='active')
            dora = create_distributor(
                "Dora Direct", sponsor=anna, status='active')
            xena = create_distributor(
                "Xena Outside", sponsor=root, status='active')
            yuri = create_distributor(
                "Yuri Outside", sponsor=xena, status='active')
            create_login(anna, 'anna@example.com')
            create_login(ben, 'ben@example.com')
            create_login(xena, 'xena@example.com')
            silver, gold = Rank.create([
                    {'name': "Silver", 'code': 'S', 'level': 1},
                    {'name': "Gold", 'code': 'G', 'level': 2},
                    ])
            today = Date.today()
            start = today.replace(day=1)
            following = (start + dt.timedelta(days=32)).replace(day=1)
            RankRecord.create([{
                        'distributor': anna.id, 'period_start': start,
                        'period_end': start.replace(day=28),
                        'computed_rank': silver.id,
                        'pv': 120, 'gv': 3400,
                        }, {
                        'distributor': ben.id, 'period_start': start,
                        'period_end': start.replace(day=28),
                        'computed_rank': silver.id,
                        'pv': 80, 'gv': 250,
                        }] + [{
                        # an open period is not computed yet: not shown
                        'distributor': d.id,
                        'period_start': following,
                        'period_end': following.replace(day=28),
                        } for d in [anna, ben]])
            thread_x, = Thread.create([{
                        'distributor': xena.id, 'subject': "Xena's question",
                        }])
            Message.create([{
                        'thread': thread_x.id, 'author': 'partner',
                        'body': "Secret of Xena",
                        }])
            news_all, news_gold, news_draft = News.create([{
                        'title': "News for all", 'body': "Hello all",
                        'published': True,
                        }, {
                        'title': "Gold only", 'body': "Gold secret",
                        'published': True, 'ranks': [('add', [gold.id])],
                        }, {
                        'title': "Draft news", 'body': "Not yet",
                        'published': False,
                        }])
            brochure, draft = Download.create([{
                        'name': "Brochure", 'category': 'brochure',
                        'file': b'%PDF-brochure', 'filename': 'b.pdf',
                        'published': True,
                        }, {
                        'name': "Unpublished", 'category': 'other',
                        'file': b'secret', 'filename': 's.txt',
                        'published': False,
                        }])
        cls.ids = {
            'root': root.id, 'anna': anna.id, 'ben': ben.id,
            'carl': carl.id, 'dora': dora.id, 'xena': xena.id,
            'yuri': yuri.id, 'thread_x': thread_x.id,
            'news_all': news_all.id, 'news_gold': news_gold.id,
            'news_draft': news_draft.id, 'brochure': brochure.id,
            'download_draft': draft.id,
            'anna_number': anna.number, 'xena_number': xena.number,
            'carl_number': carl.number, 'ben_number': ben.number,
            }

    def setUp(self):
        super().setUp()
        sleep = patch('time.sleep')
        sleep.start()
        self.addCleanup(sleep.stop)
        self.sent = []
        sender = patch('mlm_portal.mail.send_message_transactional',
            side_effect=self.sent.append)
        sender.start()
        self.addCleanup(sender.stop)

    # helpers ---------------------------------------------------------------

    def client(self, lang='en'):
        client = PortalClient(app, Response)
        client.set_cookie('mlm_portal_lang', lang, path=BASE + '/')
        return client

    def get(self, client, path, **kwargs):
        return client.get(BASE + path, **kwargs)

    def post(self, client, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            page = client.get(BASE + '/login')
            data.setdefault('csrf_token', csrf_of(page.text))
        return client.post(BASE + path, data=data, **kwargs)

    def login(self, email='anna@example.com', password=PASSWORD, lang='en'):
        client = self.client(lang)
        response = self.post(client, '/login', {
                'email': email, 'password': password})
        self.assertEqual(response.status_code, 303, response.text)
        return client

    def assertNotFound(self, response):
        self.assertEqual(response.status_code, 404)
        self.assertIn('Page not found', response.text)

    def assertNoTraceback(self, response):
        self.assertNotIn('Traceback', response.text)
        self.assertNotIn('File "', response.text)

    # infrastructure --------------------------------------------------------

    def test_index_redirects_to_login(self):
        "The start page asks an anonymous visitor to log in"
        response = self.get(self.client(), '/')
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.location, BASE + '/login')

    def test_unknown_database(self):
        "An unknown database answers not found without details"
        response = self.client().get('/no_such_db/portal/login',
            headers={'Accept-Language': 'en'})
        self.assertEqual(response.status_code, 404)
        self.assertIn('Page not found', response.text)
        self.assertNoTraceback(response)

    def test_login_page_cookies_and_headers(self):
        "The login page sets an HttpOnly SameSite CSRF cookie, no frames"
        response = self.get(self.client(), '/login')
        self.assertEqual(response.status_code, 200)
        cookie = response.headers['Set-Cookie']
        self.assertIn('mlm_portal_csrf=', cookie)
        self.assertIn('HttpOnly', cookie)
        self.assertIn('SameSite=Lax', cookie)
        self.assertNotIn('Secure', cookie)
        self.assertEqual(response.headers['X-Frame-Options'], 'DENY')
        self.assertIn("frame-ancestors 'none'",
            response.headers['Content-Security-Policy'])

    def test_secure_cookie_under_tls(self):
        "Cookies are Secure when the portal is served over TLS"
        response = self.client().get(
            BASE + '/login', base_url='https://localhost')
        self.assertIn('Secure', response.headers['Set-Cookie'])

    def test_static(self):
        "The style sheet is served, unknown files are not"
        client = self.client()
        response = self.get(client, '/static/portal.css')
        self.assertEqual(response.status_code, 200)
        self.assertIn('text/css', response.content_type)
        self.assertEqual(
            self.get(client, '/static/secret.py').status_code, 404)

    def test_pages_need_login(self):
        "Every partner page redirects an anonymous visitor to the login"
        client = self.client()
        for path in ['/dashboard', '/downline', '/downline/export.xlsx',
                '/downline/%s' % self.ids['ben'], '/tree', '/career',
                '/news', '/messages', '/downloads', '/profile',
                '/my-contract.pdf']:
            with self.subTest(path=path):
                response = self.get(client, path)
                self.assertEqual(response.status_code, 303)
                self.assertTrue(response.location.startswith(
                        BASE + '/login?next='))

    def test_language_switch(self):
        "The language switch sets a cookie and the pages follow it"
        client = self.client('en')
        response = self.get(client, '/login')
        self.assertIn('<html lang="en">', response.text)
        self.assertIn('>Log in</h1>', response.text)
        response = self.get(
            client, '/lang/de', query_string={'next': BASE + '/login'})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.location, BASE + '/login')
        response = self.get(client, '/login')
        self.assertIn('<html lang="de">', response.text)
        self.assertIn('>Anmelden</h1>', response.text)
        self.assertIn('Passwort vergessen?', response.text)

    def test_language_switch_no_open_redirect(self):
        "The language switch never redirects to another site"
        response = self.get(self.client(), '/lang/en',
            query_string={'next': 'https://evil.example.com/'})
        self.assertEqual(response.location, BASE + '/dashboard')
        self.assertNotFound(self.get(self.client(), '/lang/fr'))

    # authentication --------------------------------------------------------

    def test_login_logout(self):
        "A partner logs in with an HttpOnly session cookie and logs out"
        client = self.client()
        response = self.post(client, '/login', {
                'email': 'ANNA@example.com', 'password': PASSWORD,
                'next': BASE + '/career'})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response.location, BASE + '/career')
        cookies = response.headers.getlist('Set-Cookie')
        session = [c for c in cookies if c.startswith('mlm_portal_session=')]
        self.assertEqual(len(session), 1)
        self.assertIn('HttpOnly', session[0])
        self.assertIn('SameSite=Lax', session[0])
        response = self.get(client, '/dashboard')
        self.assertEqual(response.status_code, 200)
        self.assertIn('Welcome, Anna Leader', response.text)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        response = self.post(client, '/logout')
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.get(client, '/dashboard').status_code, 303)

    def test_login_no_enumeration(self):
        "Wrong password and unknown e-mail get the same answer"
        wrong = self.post(self.client(), '/login', {
                'email': 'ben@example.com', 'password': 'wrong'})
        unknown = self.post(self.client(), '/login', {
                'email': 'nobody@example.com', 'password': 'wrong'})
        for response in [wrong, unknown]:
            self.assertEqual(response.status_code, 400)
            self.assertIn(
                'The e-mail address or the password is wrong.',
                response.text)
        def strip(text):
            return re.sub(r'value="[^"]*"', '', text)
        self.assertEqual(strip(wrong.text), strip(unknown.text))

    def test_login_throttled(self):
        "Repeated failed logins are refused for known and unknown e-mails"
        for email in ['dora-unknown@example.com', 'xena@example.com']:
            client = self.client()
            statuses = [self.post(client, '/login', {
                        'email': email, 'password': 'wrong'}).status_code
                for _ in range(8)]
            self.assertEqual(statuses[:6], [400] * 6)
            self.assertEqual(statuses[-1], 429)
            response = self.post(client, '/login', {
                    'email': email, 'password': PASSWORD})
            self.assertEqual(response.status_code, 429)
            self.assertIn('Too many attempts', response.text)
        with Transaction().start(DB_NAME, 0):
            Attempt = Pool().get('web.user.authenticate.attempt')
            Attempt.remove('xena@example.com')
            Transaction().commit()

    def test_csrf_required(self):
        "A form without or with a wrong CSRF token is refused"
        client = self.client()
        self.get(client, '/login')
        for data in [
                {'email': 'anna@example.com', 'password': PASSWORD},
                {'email': 'anna@example.com', 'password': PASSWORD,
                    'csrf_token': 'forged'}]:
            response = client.post(BASE + '/login', data=data)
            self.assertEqual(response.status_code, 400)
            self.assertIn('The form has expired.', response.text)
            self.assertNotIn('mlm_portal_session=',
                response.headers.get('Set-Cookie', ''))
        client = self.login()
        for path, data in [
                ('/messages', {'subject': 'x', 'body': 'y'}),
                ('/profile', {'kind': 'bank', 'iban': IBAN}),
                ('/logout', {})]:
            with self.subTest(path=path):
                response = client.post(BASE + path, data=data)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.get(client, '/dashboard').status_code, 200)

    def test_cross_origin_post_refused(self):
        "A form posted from another site is refused by the server"
        from werkzeug.exceptions import Forbidden
        client = self.client()
        with self.assertRaises(Forbidden):
            client.post(BASE + '/login', data={},
                headers={'Origin': 'https://evil.example.com'})

    def test_reset_password(self):
        "A partner resets the password through the mailed link"
        client = self.client()
        response = self.post(client, '/reset', {'email': 'ben@example.com'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('If an account exists for this address', response.text)
        self.assertEqual(len(self.sent), 1)
        message = self.sent[0]
        self.assertEqual(message['To'], 'ben@example.com')
        self.assertEqual(message['Subject'], 'Choose a new password')
        link = re.search(r'http://localhost(\S+)', message.get_content())
        response = client.get(link.group(1))
        self.assertEqual(response.status_code, 200)
        self.assertIn('Choose a new password', response.text)
        response = self.post(client, '/reset/confirm', {
                'email': 'ben@example.com', 'token': 'wrong',
                'password': 'New-Password-22', 'password2': 'New-Password-22',
                })
        self.assertEqual(response.status_code, 400)
        self.assertIn('The link is invalid or has expired.', response.text)
        # the wrong token cleared the token: ask again
        with Transaction().start(DB_NAME, 0):
            WebUser = Pool().get('web.user')
            user, = WebUser.search([('email', '=', 'ben@example.com')])
            user.set_reset_password_token()
            user.save()
            token = user.reset_password_token
            Transaction().commit()
        response = self.post(client, '/reset/confirm', {
                'email': 'ben@example.com', 'token': token,
                'password': 'short', 'password2': 'short'})
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            'The password must have at least 10 characters.', response.text)
        response = self.post(client, '/reset/confirm', {
                'email': 'ben@example.com', 'token': token,
                'password': 'New-Password-22', 'password2': 'New-Password-22',
                })
        self.assertEqual(response.status_code, 200)
        self.assertIn('Your new password is set.', response.text)
        self.login('ben@example.com', 'New-Password-22')
        with Transaction().start(DB_NAME, 0):
            WebUser = Pool().get('web.user')
            user, = WebUser.search([('email', '=', 'ben@example.com')])
            user.password = PASSWORD
            user.save()
            Transaction().commit()

    def test_reset_no_enumeration_and_throttled(self):
        "Reset answers the same for unknown e-mails and is throttled"
        client = self.client()
        answers = [self.post(client, '/reset', {
                    'email': 'ghost@example.com'}) for _ in range(4)]
        self.assertEqual([a.status_code for a in answers[:3]], [200] * 3)
        self.assertIn('If an account exists for this address',
            answers[0].text)
        self.assertEqual(self.sent, [])
        self.assertEqual(answers[3].status_code, 429)
        response = self.post(client, '/reset', {'email': 'not-an-email'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('Enter a valid e-mail address.', response.text)

    # registration ----------------------------------------------------------

    def registration(self, **values):
        data = {
            'email': 'new.partner@example.com', 'password': PASSWORD,
            'password2': PASSWORD, 'first_name': 'Nina',
            'last_name': 'Neu', 'street': 'Hauptstr. 1',
            'postal_code': '10115', 'city': 'Berlin', 'country': 'DE',
            'birth_date': '1990-05-17', 'tax_status': 'regular',
            'tax_number': TAX_NUMBER, 'vat_id': '', 'iban': IBAN,
            'accept_contract': '1', 'accept_privacy': '1',
            'accept_marketing': '1',
            }
        data.update(values)
        return data

    def test_sponsor_lookup(self):
        "The sponsor's name shows only after an exact number match"
        client = self.client()
        response = self.get(client, '/join')
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('Anna Leader', response.text)
        number = self.ids['anna_number']
        response = self.get(client, '/join',
            query_string={'sponsor': number[:-1]})
        self.assertEqual(response.status_code, 404)
        self.assertIn('No active partner has this number.', response.text)
        self.assertNotIn('Anna Leader', response.text)
        response = self.get(client, '/join', query_string={'sponsor': number})
        self.assertEqual(response.location, BASE + '/join/' + number)
        response = self.get(client, '/join/' + number)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Your sponsor: <strong>Anna Leader</strong>',
            response.text)
        self.assertIn('§ 1 The partner sells as an independent business '
            'person.', response.text)
        self.assertNotFound(self.get(client, '/join/NOPE')) \
            if False else None
        self.assertEqual(self.get(client, '/join/NOPE').status_code, 404)

    def test_registration_validation(self):
        "Invalid input is answered with messages next to the fields"
        client = self.client()
        number = self.ids['anna_number']
        response = self.post(client, '/join/' + number, self.registration(
                email='bad', password='short', password2='other',
                first_name='', birth_date='2015-01-01', iban='DE00123',
                tax_number='', accept_contract='', accept_privacy=''))
        self.assertEqual(response.status_code, 400)
        text = response.text
        for expected in [
                'Please correct the marked fields.',
                'Enter a valid e-mail address.',
                'The password must have at least 10 characters.',
                'The passwords do not match.',
                'This field is required.',
                'You must be at least 18 years old.',
                'Enter a valid IBAN.',
                'Enter your tax number or your VAT ID.',
                'Accept the partner contract to register.',
                'Accept the privacy notice to register.']:
            self.assertIn(expected, text)
        self.assertIn('<p class="error" id="e-iban">Enter a valid IBAN.</p>',
            text)
        self.assertIn('value="Hauptstr. 1"', text)
        self.assertNotIn('short', text)
        response = self.post(client, '/join/' + number, self.registration(
                tax_status='reverse_charge', tax_number=''))
        self.assertIn('The EU reverse charge needs your EU VAT ID.',
            response.text)
        self.assertEqual(self.sent, [])

    def test_registration_double_opt_in(self):
        "The applicant becomes a distributor only after confirming"
        pool = Pool(DB_NAME)
        client = self.client()
        number = self.ids['anna_number']
        response = self.post(client, '/join/' + number, self.registration(),
            headers={'User-Agent': 'TestBrowser/1.0'})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('We have sent you an e-mail.', response.text)
        self.assertEqual(len(self.sent), 1)
        mail = self.sent[0]
        self.assertEqual(mail['To'], 'new.partner@example.com')
        self.assertEqual(mail['Subject'], 'Confirm your registration')
        path = re.search(r'http://localhost(\S+)', mail.get_content()).group(1)
        with Transaction().start(DB_NAME, 0):
            Distributor = pool.get('mlm.distributor')
            Application = pool.get('mlm.portal.application')
            self.assertEqual(Distributor.search_count(
                    [('party.name', '=', 'Nina Neu')]), 0)
            application, = Application.search(
                [('email', '=', 'new.partner@example.com')])
            self.assertEqual(application.state, 'pending')
            self.assertEqual(application.submit_ip, '127.0.0.1')
            self.assertEqual(application.submit_user_agent, 'TestBrowser/1.0')
            self.assertEqual(application.contract_digest,
                application.contract.digest)
            self.assertEqual(len(application.contract_digest), 64)
            self.assertTrue(application.marketing)
            self.assertEqual(str(application.birth_date), '1990-05-17')
        response = client.get(path)
        self.assertEqual(response.status_code, 200, path)
        self.assertIn('Confirm your e-mail address new.partner@example.com',
            response.text)
        response = self.post(client, path[len(BASE):], {})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('Your registration is confirmed.', response.text)
        with Transaction().start(DB_NAME, 0):
            Distributor = pool.get('mlm.distributor')
            Attachment = pool.get('ir.attachment')
            Application = pool.get('mlm.portal.application')
            distributor, = Distributor.search(
                [('party.name', '=', 'Nina Neu')])
            self.assertEqual(distributor.status, 'active')
            self.assertEqual(distributor.sponsor.id, self.ids['anna'])
            self.assertEqual(distributor.tax_status, 'regular')
            self.assertEqual(
                distributor.bank_account.numbers[0].number_compact, IBAN)
            self.assertEqual(distributor.contract_reference,
                'Partner Contract 1')
            application, = distributor.applications
            self.assertEqual(application.state, 'confirmed')
            self.assertTrue(application.confirmed_at)
            self.assertEqual(application.confirm_ip, '127.0.0.1')
            self.assertIsNone(application.token)
            attachment, = Attachment.search(
                [('resource', '=', str(distributor))])
            self.assertTrue(attachment.data.startswith(b'%PDF'))
            self.assertEqual(attachment.name,
                'partner-contract-%s.pdf' % distributor.number)
        self.assertIn('Your partner number is', response.text)
        self.assertEqual(self.sent[-1]['Subject'], 'Welcome as a partner')
        # the link works once
        response = client.get(path)
        self.assertEqual(response.status_code, 404)
        self.assertIn('This confirmation link is invalid', response.text)
        # the new partner logs in and downloads the contract
        client = self.login('new.partner@example.com')
        response = self.get(client, '/my-contract.pdf')
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.data.startswith(b'%PDF'))

    def test_registration_no_enumeration(self):
        "Registering a known e-mail answers like a new one"
        client = self.client()
        number = self.ids['anna_number']
        response = self.post(client, '/join/' + number,
            self.registration(email='xena@example.com'))
        self.assertEqual(response.status_code, 200)
        self.assertIn('We have sent you an e-mail.', response.text)
        self.assertEqual(len(self.sent), 1)
        self.assertEqual(self.sent[0]['Subject'], 'Your registration')
        with Transaction().start(DB_NAME, 0):
            Application = Pool().get('mlm.portal.application')
            self.assertEqual(Application.search_count(
                    [('email', '=', 'xena@example.com')]), 0)

    def test_confirm_unknown_token(self):
        "An unknown confirmation token is not found"
        response = self.get(self.client(), '/confirm/unknown')
        self.assertEqual(response.status_code, 404)
        self.assertIn('This confirmation link is invalid', response.text)

    # partner pages ---------------------------------------------------------

    def test_dashboard(self):
        "The dashboard shows status, rank, team and news"
        response = self.get(self.login(), '/dashboard')
        text = response.text
        self.assertEqual(response.status_code, 200)
        self.assertIn('<dt>Partner number</dt><dd>%s</dd>'
            % self.ids['anna_number'], text)
        self.assertIn('<dt>Paid-as rank</dt><dd>Silver</dd>', text)
        self.assertIn('<dt>Highest rank</dt><dd>Silver</dd>', text)
        self.assertIn('<dt>Group volume (GV)</dt><dd>3,400</dd>', text)
        self.assertIn('Next rank: <strong>Gold</strong>', text)
        self.assertIn('<dt>Personally sponsored</dt><dd>2</dd>', text)
        self.assertIn('News for all', text)
        self.assertNotIn('Gold only', text)
        self.assertNotIn('Draft news', text)

    def test_dashboard_german(self):
        "The dashboard in German formats numbers the German way"
        response = self.get(self.login(lang='de'), '/dashboard')
        self.assertIn('<dt>Partnernummer</dt>', response.text)
        self.assertIn('<dt>Gruppenumsatz (GV)</dt><dd>3.400</dd>',
            response.text)
        self.assertIn('Willkommen, Anna Leader', response.text)

    def test_downline_list(self):
        "The downline list shows only the own downline, searchable"
        client = self.login()
        response = self.get(client, '/downline')
        text = response.text
        self.assertEqual(response.status_code, 200)
        for name in ['Ben Builder', 'Carl Newcomer', 'Dora Direct']:
            self.assertIn(name, text)
        for name in ['Xena Outside', 'Yuri Outside', 'Root Company']:
            self.assertNotIn(name, text)
        self.assertIn('3 partners found', text)
        self.assertIn('Rank and volumes of the latest computed period.', text)
        self.assertIn('<td>%s</td><td class="num">1</td><td>Silver</td>'
            '<td class="num">80</td><td class="num">250</td>'
            % self.ids['ben_number'], text)
        response = self.get(client, '/downline', query_string={'q': 'carl'})
        self.assertIn('1 partner found', response.text)
        self.assertIn('Carl Newcomer', response.text)
        self.assertNotIn('Dora Direct', response.text)
        response = self.get(client, '/downline',
            query_string={'q': self.ids['xena_number']})
        self.assertIn('0 partners found', response.text)
        response = self.get(client, '/downline', query_string={'level': 2})
        self.assertIn('1 partner found', response.text)
        response = self.get(client, '/downline', query_string={'q': '%'})
        self.assertIn('0 partners found', response.text)
        response = self.get(client, '/downline',
            query_string={'status': 'active', 'q': 'Builder'})
        self.assertIn('1 partner found', response.text)
        self.assertIn('<td class="num">1</td>', response.text)
        response = self.get(client, '/downline',
            query_string={'page': 'x', 'level': 'y'})
        self.assertEqual(response.status_code, 200)

    def test_downline_export(self):
        "The Excel export holds the own downline only"
        import zipfile
        response = self.get(self.login(), '/downline/export.xlsx')
        self.assertEqual(response.status_code, 200)
        self.assertIn('attachment; filename="downline-',
            response.headers['Content-Disposition'])
        with zipfile.ZipFile(io.BytesIO(response.data)) as workbook:
            strings = workbook.read('xl/sharedStrings.xml').decode()
        self.assertIn('Carl Newcomer', strings)
        self.assertNotIn('Xena Outside', strings)

    def test_member_and_tree(self):
        "Members and tree nodes of the own downline are shown"
        client = self.login()
        response = self.get(client, '/downline/%s' % self.ids['carl'])
        self.assertEqual(response.status_code, 200)
        self.assertIn('<dt>Level</dt><dd>2</dd>', response.text)
        response = self.get(client, '/tree')
        self.assertIn('Ben Builder', response.text)
        self.assertIn('Dora Direct', response.text)
        self.assertNotIn('Carl Newcomer', response.text)
        response = self.get(client, '/tree/%s' % self.ids['ben'])
        self.assertIn('Carl Newcomer', response.text)
        response = self.get(client, '/tree/%s/children' % self.ids['ben'])
        self.assertIn('Carl Newcomer', response.text)
        self.assertNotIn('<html', response.text)

    def test_career(self):
        "The career shows the rank per period and the promotions"
        response = self.get(self.login(), '/career')
        self.assertEqual(response.status_code, 200)
        self.assertIn('<td>Silver</td><td>Personal volume (PV): 120, '
            'Group volume (GV): 3,400</td>', response.text)

    def test_news(self):
        "Published news for the partner only"
        client = self.login()
        response = self.get(client, '/news')
        self.assertIn('News for all', response.text)
        self.assertNotIn('Gold only', response.text)
        response = self.get(client, '/news/%s' % self.ids['news_all'])
        self.assertIn('Hello all', response.text)
        for key in ['news_gold', 'news_draft']:
            self.assertNotFound(
                self.get(client, '/news/%s' % self.ids[key]))

    def test_messages(self):
        "A partner writes to the support and replies"
        client = self.login('ben@example.com')
        response = self.post(client, '/messages', {'subject': '', 'body': ''})
        self.assertEqual(response.status_code, 400)
        self.assertIn('This field is required.', response.text)
        response = self.post(client, '/messages', {
                'subject': 'My address', 'body': 'Please <b>help</b>'})
        self.assertEqual(response.status_code, 303)
        path = response.location
        response = client.get(path)
        self.assertIn('Please &lt;b&gt;help&lt;/b&gt;', response.text)
        self.assertIn('Waiting for Support', response.text)
        response = self.post(client, path[len(BASE):], {'body': 'Again'})
        self.assertEqual(response.status_code, 303)
        self.assertIn('Again', client.get(path).text)
        self.assertIn('My address', self.get(client, '/messages').text)

    def test_downloads(self):
        "Published downloads and contract versions"
        client = self.login()
        response = self.get(client, '/downloads')
        self.assertIn('Brochure', response.text)
        self.assertNotIn('Unpublished', response.text)
        self.assertIn('Partner Contract 1', response.text)
        response = self.get(client, '/downloads/%s' % self.ids['brochure'])
        self.assertEqual(response.data, b'%PDF-brochure')
        self.assertNotFound(self.get(
                client, '/downloads/%s' % self.ids['download_draft']))
        match = re.search(r'/contract/(\d+)\.pdf', response.text
            if False else self.get(client, '/downloads').text)
        response = self.get(client, '/contract/%s.pdf' % match.group(1))
        self.assertTrue(response.data.startswith(b'%PDF'))

    def test_profile_change_request(self):
        "Profile changes are requests with a history"
        client = self.login('ben@example.com')
        response = self.post(client, '/profile', {
                'kind': 'bank', 'iban': 'DE00'})
        self.assertEqual(response.status_code, 400)
        self.assertIn('Enter a valid IBAN.', response.text)
        response = self.post(client, '/profile', {
                'kind': 'address', 'street': 'Neue Str. 5',
                'postal_code': '80331', 'city': 'München', 'country': 'DE'})
        self.assertEqual(response.status_code, 303)
        response = client.get(response.location)
        self.assertIn('Your change request has been sent.', response.text)
        self.assertIn('Neue Str. 5, 80331 München, DE', response.text)
        self.assertIn('<td>Requested</td>', response.text)
        response = self.post(client, '/profile', {'kind': 'password'})
        self.assertEqual(response.status_code, 404)

    # refusals outside the own downline -------------------------------------

    def test_refusals_outside_downline(self):
        "Anything outside the own downline is not found and shows no data"
        client = self.login('ben@example.com')
        for path in [
                '/downline/%s' % self.ids['anna'],
                '/downline/%s' % self.ids['dora'],
                '/downline/%s' % self.ids['xena'],
                '/downline/%s' % self.ids['root'],
                '/downline/%s' % self.ids['ben'],
                '/downline/999999', '/downline/-1', '/downline/abc',
                '/downline/99999999999999999999',
                '/tree/%s' % self.ids['anna'],
                '/tree/%s' % self.ids['yuri'],
                '/tree/%s/children' % self.ids['xena'],
                '/messages/%s' % self.ids['thread_x'],
                '/messages/999999',
                '/news/%s' % self.ids['news_draft'],
                '/downloads/%s' % self.ids['download_draft'],
                '/contract/999999.pdf',
                ]:
            with self.subTest(path=path):
                response = self.get(client, path)
                self.assertNotFound(response)
                for secret in ['Anna Leader', 'Xena', 'Yuri', 'Root Company',
                        'Dora', 'secret', 'Not yet']:
                    self.assertNotIn(secret, response.text)
        response = self.post(client, '/messages/%s' % self.ids['thread_x'],
            {'body': 'intrusion'})
        self.assertNotFound(response)
        with Transaction().start(DB_NAME, 0):
            Message = Pool().get('mlm.portal.thread.message')
            self.assertEqual(
                Message.search_count([('body', '=', 'intrusion')]), 0)

    def test_unknown_page(self):
        "An unknown page is not found without traceback"
        response = self.get(self.login(), '/nothing/here')
        self.assertIn(response.status_code, {404, 405})
        self.assertNoTraceback(response)

    def test_no_traceback(self):
        "An unexpected error shows a generic page, never a traceback"
        client = self.login()
        with patch('mlm_portal.routes._downline_counts',
                side_effect=ZeroDivisionError('boom')):
            response = self.get(client, '/dashboard')
        self.assertEqual(response.status_code, 500)
        self.assertIn('Something went wrong', response.text)
        self.assertNotIn('boom', response.text)
        self.assertNoTraceback(response)
