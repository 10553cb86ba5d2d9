# This file is part of the MLM suite. See LICENSE for details.
"""The partner portal in headless Chromium on a copy of the demo.

The portal server is started here from a copy of the demo configuration
with an [email] section pointing at an SMTP sink on loopback, so the
confirmation mail of the double opt-in is captured for real."""
import email
import email.policy
import json
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time

import pytest

from mlm_demo.portal import PORTAL_LOGINS

from .conftest import DATABASE, copy_database, wait_until_serving
SETUP = r'''
import datetime as dt, json, sys
from mlm_cli.settings import Settings
Settings(sys.argv[1]).apply()
from trytond.pool import Pool
from trytond.transaction import Transaction
from mlm_demo.portal import PORTAL_LOGINS, setup_portal
database = sys.argv[2]
pool = Pool(database)
with Transaction().start(database, 0, readonly=True):
    pool.init()
with Transaction().start(database, 0, readonly=True):
    company, = pool.get('company.company').search([], limit=1)
with Transaction().start(database, 0, context={'company': company.id}):
    Distributor = pool.get('mlm.distributor')
    WebUser = pool.get('web.user')
    today = pool.get('ir.date').today()
    if not Distributor.search([], limit=1):
        from mlm_demo.network import setup_network
        setup_network(200, today)
    if not WebUser.search([('email', '=', PORTAL_LOGINS[0][0])]):
        setup_portal(200, today)
    numbers = []
    for login, _, _ in PORTAL_LOGINS:
        user, = WebUser.search([('email', '=', login)])
        distributor, = Distributor.search([('party', '=', user.party.id)])
        numbers.append(distributor.number)
    print(json.dumps(numbers))
'''


class SMTPSink(socketserver.ThreadingTCPServer):
    "A minimal SMTP server on loopback that keeps every message"
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.messages = []
        super().__init__(('127.0.0.1', 0), SMTPHandler)

    @property
    def port(self):
        return self.server_address[1]

    def wait_for(self, to, count=1, timeout=30):
        "Return the count-th message to the address"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = [m for m in self.messages if m['To'] == to]
            if len(messages) >= count:
                return messages[count - 1]
            time.sleep(0.2)
        raise TimeoutError(f"no mail to {to}")


class SMTPHandler(socketserver.StreamRequestHandler):

    def reply(self, line):
        self.wfile.write(line.encode('ascii') + b'\r\n')

    def handle(self):
        self.reply('220 sink ESMTP')
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode('ascii', 'replace').strip().upper()
            if command.startswith(('EHLO', 'HELO')):
                self.reply('250 sink')
            elif command.startswith('DATA'):
                self.reply('354 end with .')
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in {b'.\r\n', b'.\n', b''}:
                        break
                    data.append(chunk[1:] if chunk.startswith(b'..')
                        else chunk)
                self.server.messages.append(email.message_from_bytes(
                        b''.join(data), policy=email.policy.default))
                self.reply('250 queued')
            elif command.startswith('QUIT'):
                self.reply('221 bye')
                return
            else:
                self.reply('250 ok')


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture(scope='module')
def smtp():
    sink = SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


@pytest.fixture(scope='module')
def portal(demo, smtp, tmp_path_factory):
    "Base URL of the portal on its own server with the mail sink"
    folder = tmp_path_factory.mktemp('portal')
    port = free_port()
    config = folder / 'portal.conf'
    text = demo.config.read_text().replace(
        str(demo.folder), str(folder)).replace(
        f'127.0.0.1:{demo.port}', f'127.0.0.1:{port}')
    config.write_text(text + (
            f"[email]\nuri = smtp://127.0.0.1:{smtp.port}\n"
            "from = Partnerportal <portal@example.com>\n"))
    copy_database(demo.folder, folder)
    result = subprocess.run([sys.executable, '-c', SETUP, str(config),
            DATABASE], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    with open(folder / 'server.log', 'w') as log:
        server = subprocess.Popen(
            [sys.executable, '-m', 'mlm_cli', 'serve', '-c', str(config)],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f'http://127.0.0.1:{port}/{DATABASE}/portal'
            wait_until_serving(base + '/login', server)
            yield base, numbers
        finally:
            server.terminate()
            server.wait(timeout=30)


def shot(page, screenshots, name):
    page.screenshot(path=str(screenshots / f'portal-{name}.png'),
        full_page=True)


def login(page, base, email_, password):
    page.goto(base + '/login')
    page.fill('#f-email', email_)
    page.fill('#f-password', password)
    page.click('button[type=submit]:has-text("Anmelden"), '
        'button[type=submit]:has-text("Log in")')
    page.wait_for_load_state()


def logout(page):
    page.click('header button.link')
    page.wait_for_load_state()


def test_register_confirm_login(portal, smtp, page, screenshots):
    "A newcomer registers by referral link, confirms the mail, logs in"
    base, (leader_number, _, _) = portal
    page.context.clear_cookies()
    page.goto(f'{base}/join/{leader_number}')
    assert page.locator('h1').inner_text() == 'Registrierung'
    assert 'Ihr Sponsor' in page.locator('p.sponsor').inner_text()
    shot(page, screenshots, '01-registration')

    # a first attempt without the contract checkbox shows the message
    page.fill('#f-email', 'browser.partner@example.com')
    page.fill('#f-password', 'Browser-Pass-2026')
    page.fill('#f-password2', 'Browser-Pass-2026')
    page.fill('#f-first_name', 'Bruno')
    page.fill('#f-last_name', 'Browser')
    page.fill('#f-birth_date', '1988-04-12')
    page.fill('#f-street', 'Lindenallee 7')
    page.fill('#f-postal_code', '20095')
    page.fill('#f-city', 'Hamburg')
    page.select_option('#f-country', 'DE')
    page.check('input[name=tax_status][value=small_business]')
    page.fill('#f-iban', 'DE89 3704 0044 0532 0130 00')
    page.check('input[name=accept_privacy]')
    page.click('form button[type=submit]')
    page.wait_for_load_state()
    assert page.locator('#e-accept_contract').inner_text() == (
        'Akzeptieren Sie den Partnervertrag, um sich zu registrieren.')
    shot(page, screenshots, '02-registration-errors')

    page.fill('#f-password', 'Browser-Pass-2026')
    page.fill('#f-password2', 'Browser-Pass-2026')
    page.check('input[name=accept_contract]')
    page.click('form button[type=submit]')
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == 'Fast geschafft'
    shot(page, screenshots, '03-registered')

    mail = smtp.wait_for('browser.partner@example.com')
    assert mail['Subject'] == 'Bestätigen Sie Ihre Registrierung'
    link = re.search(r'https?://\S+/confirm/\S+', mail.get_content()).group(0)
    page.goto(link)
    assert page.locator('h1').inner_text() == (
        'Bestätigen Sie Ihre Registrierung')
    shot(page, screenshots, '04-confirm')
    page.click('form button[type=submit]')
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == 'Willkommen'
    number = re.search(r'Partnernummer ist (\S+)\.',
        page.locator('p.message').inner_text()).group(1)
    shot(page, screenshots, '05-welcome')
    welcome = smtp.wait_for('browser.partner@example.com', count=2)
    assert welcome['Subject'] == 'Willkommen als Partner'
    assert f'Ihre Partnernummer ist {number}.' in welcome.get_content()

    login(page, base, 'browser.partner@example.com', 'Browser-Pass-2026')
    assert page.locator('h1').inner_text() == 'Willkommen, Bruno Browser'
    assert page.locator('#status dd').first.inner_text() == number
    shot(page, screenshots, '06-dashboard-newcomer')
    page.click('nav.main a:has-text("Downloads")')
    page.wait_for_load_state()
    assert page.locator('a:has-text("Mein Partnervertrag (PDF)")').count() == 1
    logout(page)


def test_leader_pages_and_language(portal, page, screenshots):
    "The leader sees dashboard, downline, tree, intranet and switches language"
    base, (leader_number, _, _) = portal
    page.context.clear_cookies()
    email_, password, _ = PORTAL_LOGINS[0]
    login(page, base, email_, password)
    assert page.url == base + '/dashboard'
    assert page.locator('#status dd').first.inner_text() == leader_number
    shot(page, screenshots, '10-dashboard')

    page.click('nav.main a:has-text("Downline")')
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == 'Downline'
    rows = page.locator('table.list tbody tr')
    assert rows.count() == 25
    found = page.locator('p.count').inner_text()
    assert re.fullmatch(r'[\d.]+ Partner gefunden', found)
    shot(page, screenshots, '11-downline')
    first_name = rows.first.locator('td').first.inner_text()
    page.fill('#f-q', first_name)
    page.click('form.filters button[type=submit]')
    page.wait_for_load_state()
    assert first_name in page.locator('table.list tbody').inner_text()
    with page.expect_download() as download:
        page.click('a:has-text("Excel-Export")')
    assert download.value.suggested_filename == (
        f'downline-{leader_number}.xlsx')

    page.click('nav.main a:has-text("Baum")')
    page.wait_for_load_state()
    details = page.locator('ul.tree details').first
    details.locator('summary').click()
    details.locator('ul.tree').first.wait_for()
    shot(page, screenshots, '12-tree')

    for label, name in [('Karriere', '13-career'),
            ('Neuigkeiten', '14-news'), ('Nachrichten', '15-messages'),
            ('Downloads', '16-downloads'), ('Profil', '17-profile')]:
        page.click(f'nav.main a:has-text("{label}")')
        page.wait_for_load_state()
        assert page.locator('h1').inner_text() == label
        shot(page, screenshots, name)

    page.click('.langs a:has-text("EN")')
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == 'Profile'
    page.click('nav.main a:has-text("Dashboard")')
    page.wait_for_load_state()
    assert page.locator('h2').first.inner_text() == 'Status'
    assert page.locator('#status dt').first.inner_text() == 'Partner number'
    shot(page, screenshots, '18-dashboard-english')
    page.click('.langs a:has-text("DE")')
    page.wait_for_load_state()
    assert page.locator('#status dt').first.inner_text() == 'Partnernummer'
    logout(page)
    assert page.locator('h1').inner_text() == 'Anmelden'


def test_leader_commissions(portal, page, screenshots):
    "The leader sees the preview, the periods, a period's lines and a PDF"
    base, (leader_number, _, _) = portal
    page.context.clear_cookies()
    email_, password, _ = PORTAL_LOGINS[0]
    login(page, base, email_, password)
    preview = page.locator('#commission')
    assert preview.locator('h2').inner_text() == 'Provision'
    assert preview.locator('dt').first.inner_text() == 'Offene Periode'

    page.click('nav.main a:has-text("Provisionen")')
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == 'Provisionen'
    rows = page.locator('table#periods tbody tr')
    assert rows.count() >= 1
    shot(page, screenshots, '20-commissions')

    # the newest period with a statement: its lines, then the PDF
    row = page.locator('table#periods tbody tr:has(a.statement)').first
    name = row.locator('td').first.inner_text()
    row.locator('td a').first.click()
    page.wait_for_load_state()
    assert page.locator('h1').inner_text() == f'Provisionen {name}'
    assert page.locator('#totals tr#total-paid').count() == 1
    assert page.locator('#lines table.list tbody tr').count() >= 1
    shot(page, screenshots, '21-commission-period')
    link = page.locator('#settlement a.statement')
    response = page.request.get(link.evaluate('a => a.href'))
    assert response.status == 200
    assert name in response.headers['content-disposition']
    data = response.body()
    assert data.startswith(b'%PDF')
    assert f'Partnernummer: {leader_number}'.encode() in data
    (screenshots / 'portal-22-statement.pdf').write_bytes(data)
    logout(page)
