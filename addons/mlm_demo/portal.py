# This file is part of the MLM suite. See LICENSE for details.
"""Demo data of the partner portal.

`setup_portal` runs inside an open server transaction (pool ready, company
in the context) after the network demo exists.  `PORTAL_LOGINS` is imported
by the CLI to print the logins: no trytond import at module level."""

PORTAL_LOGINS = [
    ('leader@example.com', 'Demo-Leader-2026',
        "Leader with the biggest downline"),
    ('partner@example.com', 'Demo-Partner-2026',
        "Mid-level partner with a small team"),
    ('newcomer@example.com', 'Demo-Newcomer-2026',
        "Newcomer without downline"),
    ]

# The legal texts of the demo company are German: the text an applicant
# accepts is one exact text, shown the same in both portal languages.
CONTRACT = """§ 1 Gegenstand
Der Vertriebspartner vermittelt als selbständiger Gewerbetreibender die \
Produkte des Unternehmens und empfiehlt neue Vertriebspartner. Er ist kein \
Arbeitnehmer und nicht weisungsgebunden.

§ 2 Provisionen
Der Vertriebspartner erhält Provisionen nach dem jeweils gültigen \
Vergütungsplan. Die Provisionen werden je Periode per Gutschrift abgerechnet.

§ 3 Laufzeit
Der Vertrag läuft auf unbestimmte Zeit. Er kann von beiden Seiten mit einer \
Frist von einem Monat zum Monatsende gekündigt werden.

§ 4 Widerruf
Der Vertriebspartner kann diesen Vertrag innerhalb von 14 Tagen ohne Angabe \
von Gründen widerrufen."""

PRIVACY = """Wir verarbeiten Ihre personenbezogenen Daten, um den \
Vertriebspartnervertrag abzuschließen und durchzuführen (Art. 6 Abs. 1 lit. b \
DSGVO), um Provisionen zu zahlen und um gesetzliche Pflichten zu erfüllen. \
Ihr Sponsor und Ihre Upline sehen Ihren Namen, Ihre Partnernummer, Ihren Rang \
und Ihren Status. Sie können jederzeit Auskunft, Berichtigung und Löschung \
verlangen."""

MARKETING = ("Ja, ich möchte Neuigkeiten zu Produkten und Aktionen per E-Mail "
    "erhalten. Diese Einwilligung kann ich jederzeit widerrufen.")


def _pick(Distributor, company):
    "The leader, the mid-level partner and the newcomer of the demo network"
    distributors = Distributor.search([
            ('company', '=', company.id),
            ('status', '=', 'active'),
            ], order=[('depth', 'ASC'), ('number', 'ASC')])
    if len(distributors) < 3:
        raise ValueError("the portal demo needs a network of 3 partners")
    from collections import Counter
    sizes = Counter()
    for other in Distributor.search([('company', '=', company.id)]):
        # path is "1/5/9/": every sponsor above gets one more member
        for ancestor in (other.path or '').strip('/').split('/')[:-1]:
            sizes[int(ancestor)] += 1

    def size(distributor):
        return sizes[distributor.id]
    leaders = [d for d in distributors if d.depth <= 1] or distributors
    leader = max(leaders, key=lambda d: (size(d), -d.id))
    middle = [d for d in distributors
        if d != leader and d.path.startswith(leader.path)
        and d.depth >= leader.depth + 2 and size(d) > 0]
    if not middle:
        middle = [d for d in distributors if d != leader and size(d) > 0] \
            or [d for d in distributors if d != leader]
    mid = max(middle, key=lambda d: (size(d) <= 20, size(d), -d.id))
    leaves = [d for d in distributors
        if d not in {leader, mid} and size(d) == 0]
    newcomer = max(leaves or distributors, key=lambda d: (d.join_date, d.id))
    return leader, mid, newcomer


def setup_portal(size, today):
    """Create the portal content of the demo; return a summary.

    Contract versions, the logins of PORTAL_LOGINS for a leader, a
    mid-level partner and a newcomer, news, downloads and a support
    thread."""
    import datetime as dt

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool()
    Company = pool.get('company.company')
    Distributor = pool.get('mlm.distributor')
    LegalText = pool.get('mlm.portal.legal_text')
    WebUser = pool.get('web.user')
    News = pool.get('mlm.portal.news')
    Download = pool.get('mlm.portal.download')
    Thread = pool.get('mlm.portal.thread')
    Message = pool.get('mlm.portal.thread.message')
    Rank = pool.get('mlm.rank')
    ContactMechanism = pool.get('party.contact_mechanism')

    company = Company(Transaction().context['company'])
    start = today - dt.timedelta(days=365)
    LegalText.create([{
                'company': company.id, 'kind': 'contract', 'version': '2025-1',
                'title': "Vertriebspartnervertrag", 'valid_from': start,
                'text': CONTRACT.replace('einem Monat', 'drei Monaten'),
                }, {
                'company': company.id, 'kind': 'contract', 'version': '2026-1',
                'title': "Vertriebspartnervertrag",
                'valid_from': today - dt.timedelta(days=30), 'text': CONTRACT,
                }, {
                'company': company.id, 'kind': 'privacy', 'version': '2025-1',
                'title': "Datenschutzhinweise", 'valid_from': start,
                'text': PRIVACY, 'published': False,
                }, {
                'company': company.id, 'kind': 'marketing',
                'version': '2025-1', 'title': "Einwilligung Werbung",
                'valid_from': start, 'text': MARKETING, 'published': False,
                }])

    partners = _pick(Distributor, company)
    for distributor, (email, password, _) in zip(partners, PORTAL_LOGINS):
        WebUser.create([{
                    'email': email,
                    'password': password,
                    'party': distributor.party.id,
                    'email_valid': True,
                    }])
        ContactMechanism.create([{
                    'party': distributor.party.id, 'type': 'email',
                    'value': email,
                    }])
    leader, mid, newcomer = partners

    ranks = Rank.search([('company', '=', company.id)],
        order=[('level', 'DESC')], limit=1)
    # (English title, English text, German title, German text, days ago)
    texts = [
        ("Welcome to the new partner portal",
            "Your dashboard, your downline and your career are now online. "
            "Write to us in the Messages section.",
            "Willkommen im neuen Partnerportal",
            "Ihre Übersicht, Ihre Downline und Ihre Karriere sind jetzt "
            "online. Schreiben Sie uns im Bereich Nachrichten.", 3),
        ("Spring promotion: double volume on starter kits",
            "From the first of next month starter kits count twice for the "
            "personal volume.",
            "Frühjahrsaktion: doppelter Umsatz auf Starterpakete",
            "Ab dem Ersten des nächsten Monats zählen Starterpakete doppelt "
            "für den Eigenumsatz.", 10),
        ]
    news = []
    for english, body, _, _, days in texts:
        news.append({
                'company': company.id, 'published': True, 'title': english,
                'body': body,
                'publish_date': today - dt.timedelta(days=days),
                })
    if ranks:
        texts.append(("Leadership summit for %s" % ranks[0].name,
                "Invitation to the leadership summit.",
                "Führungskräftetreffen für %s" % ranks[0].name,
                "Einladung zum Führungskräftetreffen.", 1))
        news.append({
                'company': company.id, 'published': True,
                'title': texts[-1][0], 'body': texts[-1][1],
                'publish_date': today - dt.timedelta(days=1),
                'ranks': [('add', [ranks[0].id])],
                })
    with Transaction().set_context(language='en'):
        news = News.create(news)
    _translate(News, news, [
            {'title': t[2], 'body': t[3]} for t in texts])

    with Transaction().set_context(language='en'):
        downloads = Download.create([{
                'company': company.id, 'category': 'brochure',
                'name': "Product brochure", 'published': True,
                'description': "The current product range.",
                'file': _pdf("Product brochure"),
                'filename': 'brochure.pdf',
                'publish_date': today - dt.timedelta(days=20),
                }, {
                'company': company.id, 'category': 'price_list',
                'name': "Price list", 'published': True,
                'file': ("number;product;price\n1;Starter kit;99.00\n"
                    "2;Vitamin set;39.90\n").encode('utf-8'),
                'filename': 'price-list.csv',
                'publish_date': today - dt.timedelta(days=20),
                }])
    _translate(Download, downloads, [
            {'name': "Produktbroschüre",
                'description': "Das aktuelle Sortiment."},
            {'name': "Preisliste"}])

    thread, = Thread.create([{
                'company': company.id, 'distributor': leader.id,
                'subject': "Provisionsabrechnung des letzten Monats",
                }])
    Message.create([{
                'thread': thread.id, 'author': 'partner',
                'body': "Hallo, wo finde ich meine Provisionsabrechnung?",
                }, {
                'thread': thread.id, 'author': 'support',
                'body': "Hallo, die Abrechnungen erscheinen unter "
                "Provisionen, sobald die Periode abgeschlossen ist.",
                }])
    return {
        'logins': {email: d.number
            for (email, _, _), d in zip(PORTAL_LOGINS, partners)},
        'news': len(news),
        'downloads': len(downloads),
        }


def _translate(Model, records, values):
    "Write the German values when German is a translatable language"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Lang = Pool().get('ir.lang')
    if not Lang.search([('code', '=', 'de'), ('translatable', '=', True)]):
        return
    with Transaction().set_context(language='de'):
        for record, german in zip(Model.browse(records), values):
            Model.write([record], german)


def _pdf(title):
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    output = io.BytesIO()
    pdf = canvas.Canvas(output, pagesize=A4)
    pdf.setTitle(title)
    pdf.drawString(72, 770, title)
    pdf.save()
    return output.getvalue()
