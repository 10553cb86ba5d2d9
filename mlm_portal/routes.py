# This file is part of the MLM suite. See LICENSE for details.
"""The portal pages.

Every page that shows partner data reads it through the logged-in
distributor: records of other partners are answered with not found."""
import datetime as dt
import math

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from trytond.transaction import Transaction

from . import forms, mail
from .downline_queries import downline_counts as _downline_counts
from .downline_queries import downline_page as _downline_page
from .downline_queries import latest_record as _latest_record
from .web import route

PAGE_SIZE = 25
ACTIVE = ['active', 'inactive']


def _int(value):
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise NotFound()
    if not 0 < value < 2 ** 31:
        raise NotFound()
    return value


def _safe_next(portal, target):
    if (target and target.startswith(portal.base + '/')
            and not target.startswith('//') and '\\' not in target):
        return target
    return portal.url('/dashboard')


def _file(data, filename, content_type):
    response = Response(bytes(data), content_type=content_type)
    response.headers['Content-Disposition'] = (
        'attachment; filename="%s"' % filename.replace('"', ''))
    return response


# Authentication ------------------------------------------------------------

@route('/', login=False)
def index(portal):
    return portal.redirect('/dashboard' if portal.distributor else '/login')


@route('/lang/<code>', login=False)
def language(portal, code):
    if code not in ('de', 'en'):
        raise NotFound()
    portal.set_language(code)
    return portal.redirect_to(_safe_next(portal, portal.arg('next')))


@route('/login', methods=('GET', 'POST'), login=False)
def login(portal):
    WebUser = portal.pool.get('web.user')
    next_ = portal.arg('next') or portal.form('next')
    values, errors = {}, {}
    if portal.request.method == 'POST':
        values = {'email': portal.form('email')[:200]}
        password = portal.request.form.get('password', '')[:1000]
        user = None
        if values['email'] and password:
            user = WebUser.authenticate(values['email'], password)
        if user and user.active:
            portal.distributor = None
            portal.load_user_from(user)
            if portal.distributor:
                portal.set_session(user.new_session())
                return portal.redirect_to(_safe_next(portal, next_))
        errors['form'] = forms.msg('msg_login_failed')
        portal.user = portal.distributor = None
    return portal.render('login.html', values=values, errors=errors,
        next=next_, status=400 if errors else 200)


@route('/logout', methods=('POST',), login=False)
def logout(portal):
    Session = portal.pool.get('web.user.session')
    if portal.session:
        Session.remove(portal.session)
    portal.clear_session()
    portal.user = portal.distributor = None
    return portal.redirect('/login')


@route('/reset', methods=('GET', 'POST'), login=False)
def reset_request(portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    Attempt = pool.get('mlm.portal.attempt')
    values, errors = {}, {}
    if portal.request.method == 'POST':
        values = {'email': portal.form('email')[:200]}
        forms.required(values, errors, ['email'])
        forms.check_email(values, errors)
        if not errors:
            Attempt.check('reset', values['email'])
            users = WebUser.search([
                    ('email', '=', values['email']),
                    ('active', '=', True),
                    ], limit=1)
            now = dt.datetime.now()
            for user in users:
                if (user.reset_password_token_expire
                        and user.reset_password_token_expire > now):
                    continue
                user.set_reset_password_token()
                user.save()
                mail.send(user.email, 'reset', portal.lang,
                    link=portal.request.host_url.rstrip('/') + portal.url(
                        '/reset/confirm', email=user.email,
                        token=user.reset_password_token))
            return portal.message_page(
                portal._("Check your e-mail"),
                portal._("If an account exists for this address, we have "
                    "sent a link to choose a new password."),
                link=portal.url('/login'), link_text=portal._("Log in"))
    return portal.render('reset_request.html', values=values, errors=errors,
        status=400 if errors else 200)


@route('/reset/confirm', methods=('GET', 'POST'), login=False)
def reset_confirm(portal):
    WebUser = portal.pool.get('web.user')
    email = (portal.arg('email') or portal.form('email'))[:200]
    token = (portal.arg('token') or portal.form('token'))[:200]
    values, errors = {}, {}
    if portal.request.method == 'POST':
        values = {
            'password': portal.request.form.get('password', ''),
            'password2': portal.request.form.get('password2', ''),
            }
        forms.required(values, errors, ['password', 'password2'])
        forms.check_password(values, errors)
        if not errors:
            if email and token and WebUser.set_password_token(
                    email, token, values['password']):
                return portal.message_page(
                    portal._("Password changed"),
                    portal._("Your new password is set. You can log in "
                        "now."),
                    link=portal.url('/login'), link_text=portal._("Log in"))
            return portal.message_page(
                portal._("Link invalid"),
                portal._("The link is invalid or has expired. Please ask "
                    "for a new one."), status=400,
                link=portal.url('/reset'),
                link_text=portal._("Forgot your password?"))
    return portal.render('reset_confirm.html', errors=errors, email=email,
        token=token, status=400 if errors else 200)


# Registration --------------------------------------------------------------

def _sponsor(portal, number):
    Distributor = portal.pool.get('mlm.distributor')
    if not number or len(number) > 50:
        return None
    sponsors = Distributor.search([
            ('number', '=', number),
            ('status', 'in', ACTIVE),
            ], limit=1)
    return sponsors[0] if sponsors else None


@route('/join', methods=('GET',), login=False)
def join_lookup(portal):
    number = portal.arg('sponsor').strip()
    errors = {}
    if number:
        sponsor = _sponsor(portal, number)
        if sponsor:
            return portal.redirect('/join/%s' % sponsor.number)
        errors['sponsor'] = forms.msg('msg_sponsor_not_found')
    return portal.render('join_lookup.html', number=number, errors=errors,
        status=404 if errors else 200)


@route('/join/<number>', methods=('GET', 'POST'), login=False)
def join(portal, number):
    pool = portal.pool
    Configuration = pool.get('mlm.portal.configuration')
    LegalText = pool.get('mlm.portal.legal_text')
    Application = pool.get('mlm.portal.application')
    WebUser = pool.get('web.user')
    Country = pool.get('country.country')
    Attempt = pool.get('mlm.portal.attempt')
    Date = pool.get('ir.date')
    sponsor = _sponsor(portal, number)
    if not sponsor:
        return portal.render('join_lookup.html', number=number,
            errors={'sponsor': forms.msg('msg_sponsor_not_found')},
            status=404)
    config = Configuration(1)
    with Transaction().set_context(company=sponsor.company.id):
        today = Date.today()
        texts = {kind: LegalText.current(sponsor.company, kind, today)
            for kind in ('contract', 'privacy', 'marketing')}
    if not texts['contract'] or not texts['privacy']:
        return portal.message_page(
            portal._("Registration closed"),
            portal._("Online registration is not available at the "
                "moment."), status=503)
    countries = Country.search([], order=[('name', 'ASC')])
    values = {'country': 'DE', 'tax_status': 'regular'}
    errors = {}
    if portal.request.method == 'POST':
        values = {name: portal.form(name)
            for name in forms.REGISTRATION_FIELDS}
        values['password'] = portal.request.form.get('password', '')
        values['password2'] = portal.request.form.get('password2', '')
        values, errors = forms.registration(
            values, today, config.minimum_age)
        if not errors:
            Attempt.check('register', '')
            existing = WebUser.search(
                [('email', '=', values['email'])], limit=1)
            if existing:
                # same answer as for a new address: no user enumeration
                mail.send(values['email'], 'already_registered',
                    portal.lang, link=portal.request.host_url.rstrip('/')
                    + portal.url('/reset'))
            else:
                with Transaction().set_context(company=sponsor.company.id):
                    application = Application(
                        company=sponsor.company, sponsor=sponsor,
                        email=values['email'],
                        password_hash=WebUser.hash_password(
                            values['password']),
                        language=portal.lang,
                        first_name=values['first_name'],
                        last_name=values['last_name'],
                        street=values['street'],
                        postal_code=values['postal_code'],
                        city=values['city'],
                        country=values['country_record'],
                        phone=values.get('phone') or None,
                        birth_date=values['birth_date'],
                        tax_status=values['tax_status'],
                        tax_number=values.get('tax_number') or None,
                        vat_id=values.get('vat_id') or None,
                        iban=values['iban'],
                        contract=texts['contract'],
                        contract_digest=texts['contract'].digest,
                        privacy=texts['privacy'],
                        privacy_digest=texts['privacy'].digest,
                        submitted_at=dt.datetime.now(),
                        submit_ip=portal.remote_addr,
                        submit_user_agent=portal.user_agent or None)
                    if values.get('accept_marketing') and texts['marketing']:
                        application.marketing = texts['marketing']
                        application.marketing_digest = (
                            texts['marketing'].digest)
                    application.save()
                mail.send(application.email, 'confirm', portal.lang,
                    name=application.full_name,
                    days=config.opt_in_validity_days,
                    link=portal.request.host_url.rstrip('/') + portal.url(
                        '/confirm/%s' % application.token))
            return portal.message_page(
                portal._("Almost done"),
                portal._("We have sent you an e-mail. Please confirm your "
                    "address with the link in it to complete the "
                    "registration."))
    values.pop('password', None)
    values.pop('password2', None)
    return portal.render('join.html', sponsor=sponsor, texts=texts,
        values=values, errors=errors, countries=countries,
        status=400 if errors else 200)


@route('/confirm/<token>', methods=('GET', 'POST'), login=False)
def confirm(portal, token):
    Application = portal.pool.get('mlm.portal.application')
    application = Application.by_token(token)
    if (not application or application.state != 'pending'
            or application.is_expired()):
        return portal.message_page(
            portal._("Link invalid"),
            portal._("This confirmation link is invalid or has expired. "
                "Please register again."), status=404)
    if portal.request.method == 'POST':
        distributor = application.confirm(
            portal.remote_addr, portal.user_agent)
        mail.send(application.email, 'welcome', portal.lang,
            name=application.full_name, number=distributor.number,
            link=portal.request.host_url.rstrip('/') + portal.url('/login'))
        return portal.message_page(
            portal._("Welcome"),
            portal._("Your registration is confirmed. Your partner number "
                "is %(number)s.", number=distributor.number),
            link=portal.url('/login'), link_text=portal._("Log in"))
    return portal.render('confirm.html', application=application,
        token=token)


# Dashboard -----------------------------------------------------------------

@route('/dashboard')
def dashboard(portal):
    pool = portal.pool
    Rank = pool.get('mlm.rank')
    News = pool.get('mlm.portal.news')
    Date = pool.get('ir.date')
    me = portal.distributor
    today = Date.today()
    record = _latest_record(me)
    paid_as = record.paid_as_rank if record else None
    highest = record.highest_rank if record else None
    next_rank = None
    level = highest.level if highest else None
    ranks = Rank.search([('company', '=', me.company.id)],
        order=[('level', 'ASC')])
    for rank in ranks:
        if level is None or rank.level > level:
            next_rank = rank
            break
    counts = _downline_counts(me, today.replace(day=1))
    news = News.for_distributor(me, rank=paid_as, limit=5)
    from .commission import preview
    from .rank_progress import progress
    return portal.render('dashboard.html', record=record, paid_as=paid_as,
        highest=highest, next_rank=next_rank, counts=counts, news=news,
        today=today, commission=preview(me),
        progress=progress(me, next_rank, record))


# Downline ------------------------------------------------------------------

def _member(portal, member_id, include_self=False):
    "The distributor member_id if it is in the own downline, else NotFound"
    Distributor = portal.pool.get('mlm.distributor')
    me = portal.distributor
    member_id = _int(member_id)
    if include_self and member_id == me.id:
        return me
    found = Distributor.search([
            ('id', '=', member_id),
            Distributor.downline_domain(me),
            ], limit=1)
    if not found:
        raise NotFound()
    return found[0]


def _downline_filters(portal):
    q = portal.arg('q').strip()[:100]
    status = portal.arg('status')
    if status not in {'active', 'inactive', 'suspended', 'terminated'}:
        status = ''
    level = portal.int_arg('level')
    if not level or level < 1:
        level = None
    return {'q': q, 'status': status, 'level': level}


@route('/downline')
def downline(portal):
    me = portal.distributor
    filters = _downline_filters(portal)
    page = max(portal.int_arg('page', 1) or 1, 1)
    counts = _downline_counts(me, pool_today(portal).replace(day=1))
    total, rows = _downline_page(me, filters, (page - 1) * PAGE_SIZE,
        PAGE_SIZE, counts=counts)
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    if page > pages:
        page = pages
        total, rows = _downline_page(me, filters, (page - 1) * PAGE_SIZE,
            PAGE_SIZE, counts=counts)
    return portal.render('downline.html', rows=rows, total=total,
        page=page, pages=pages, filters=filters, counts=counts)


def pool_today(portal):
    return portal.pool.get('ir.date').today()


@route('/downline/export.xlsx')
def downline_export(portal):
    Export = portal.pool.get('mlm.downline.export', type='wizard')
    me = portal.distributor
    data = Export.export_xlsx(me)
    return _file(data, 'downline-%s.xlsx' % me.number,
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')


@route('/downline/<member_id>')
def downline_member(portal, member_id):
    me = portal.distributor
    member = _member(portal, member_id)
    record = _latest_record(member)
    counts = _downline_counts(member, pool_today(portal).replace(day=1))
    sponsor = member.sponsor
    return portal.render('member.html', member=member, record=record,
        counts=counts, level=member.depth - me.depth, sponsor=sponsor)


def _children(portal, node):
    Distributor = portal.pool.get('mlm.distributor')
    children = Distributor.search([
            ('sponsor', '=', node.id),
            ], order=[('number', 'ASC')])
    sizes = Distributor.get_counts(children, ['downline_size'])
    return [(c, sizes['downline_size'][c.id]) for c in children]


@route('/tree')
def tree(portal):
    return _tree(portal, portal.distributor)


@route('/tree/<member_id>')
def tree_node(portal, member_id):
    return _tree(portal, _member(portal, member_id, include_self=True))


def _tree(portal, node):
    me = portal.distributor
    path = []
    current = node
    while current and current != me:
        path.append(current)
        current = current.sponsor
    path.reverse()
    return portal.render('tree.html', node=node, trail=path,
        children=_children(portal, node), level=node.depth - me.depth)


@route('/tree/<member_id>/children')
def tree_children(portal, member_id):
    node = _member(portal, member_id, include_self=True)
    return portal.render('tree_children.html',
        children=_children(portal, node),
        level=node.depth - portal.distributor.depth + 1)


# Career --------------------------------------------------------------------

@route('/career')
def career(portal):
    RankRecord = portal.pool.get('mlm.rank.record')
    records = RankRecord.search([
            ('distributor', '=', portal.distributor.id),
            ('paid_as_rank', '!=', None),
            ], order=[('period_start', 'ASC')])
    promotions = []
    previous = None
    for record in records:
        if record.highest_rank and (not previous or (
                    record.highest_rank.level > previous.level)):
            promotions.append(record)
        previous = record.highest_rank or previous
    return portal.render('career.html', records=list(reversed(records)),
        promotions=list(reversed(promotions)))


# Intranet ------------------------------------------------------------------

@route('/news')
def news(portal):
    News = portal.pool.get('mlm.portal.news')
    record = _latest_record(portal.distributor)
    return portal.render('news.html', news=News.for_distributor(
            portal.distributor, rank=record.paid_as_rank if record else None))


@route('/news/<news_id>')
def news_item(portal, news_id):
    News = portal.pool.get('mlm.portal.news')
    news_id = _int(news_id)
    record = _latest_record(portal.distributor)
    for item in News.for_distributor(portal.distributor,
            rank=record.paid_as_rank if record else None):
        if item.id == news_id:
            return portal.render('news_item.html', item=item)
    raise NotFound()


@route('/messages', methods=('GET', 'POST'))
def messages(portal):
    pool = portal.pool
    Thread = pool.get('mlm.portal.thread')
    Message = pool.get('mlm.portal.thread.message')
    me = portal.distributor
    values, errors = {}, {}
    if portal.request.method == 'POST':
        values = {'subject': portal.form('subject'),
            'body': portal.form('body')}
        values, errors = forms.message(values)
        if not errors:
            thread = Thread(company=me.company, distributor=me,
                subject=values['subject'])
            thread.save()
            Message.create([{
                        'thread': thread.id, 'author': 'partner',
                        'body': values['body'],
                        }])
            return portal.redirect('/messages/%s' % thread.id)
    threads = Thread.search([('distributor', '=', me.id)])
    return portal.render('messages.html', threads=threads, values=values,
        errors=errors, status=400 if errors else 200)


@route('/messages/<thread_id>', methods=('GET', 'POST'))
def thread(portal, thread_id):
    pool = portal.pool
    Thread = pool.get('mlm.portal.thread')
    Message = pool.get('mlm.portal.thread.message')
    threads = Thread.search([
            ('id', '=', _int(thread_id)),
            ('distributor', '=', portal.distributor.id),
            ], limit=1)
    if not threads:
        raise NotFound()
    thread, = threads
    values, errors = {}, {}
    if portal.request.method == 'POST':
        values, errors = forms.message(
            {'body': portal.form('body')}, subject=False)
        if not errors:
            if thread.state == 'closed':
                Thread.reopen([thread])
            Message.create([{
                        'thread': thread.id, 'author': 'partner',
                        'body': values['body'],
                        }])
            return portal.redirect('/messages/%s' % thread.id)
    return portal.render('thread.html', thread=Thread(thread.id),
        values=values, errors=errors, status=400 if errors else 200)


@route('/downloads')
def downloads(portal):
    pool = portal.pool
    Download = pool.get('mlm.portal.download')
    LegalText = pool.get('mlm.portal.legal_text')
    Attachment = pool.get('ir.attachment')
    me = portal.distributor
    files = Download.search(Download.published_domain(me.company))
    texts = LegalText.search([
            ('company', '=', me.company.id),
            ('published', '=', True),
            ('kind', '=', 'contract'),
            ])
    own = Attachment.search([
            ('resource', '=', str(me)),
            ('name', 'like', 'partner-contract-%'),
            ], limit=1)
    return portal.render('downloads.html', files=files, texts=texts,
        own=own[0] if own else None)


@route('/downloads/<download_id>')
def download(portal, download_id):
    Download = portal.pool.get('mlm.portal.download')
    me = portal.distributor
    found = Download.search([('id', '=', _int(download_id))]
        + Download.published_domain(me.company), limit=1)
    if not found:
        raise NotFound()
    return _file(found[0].file, found[0].filename,
        'application/octet-stream')


@route('/contract/<text_id>.pdf')
def contract_version(portal, text_id):
    LegalText = portal.pool.get('mlm.portal.legal_text')
    from .pdf import legal_text_pdf
    found = LegalText.search([
            ('id', '=', _int(text_id)),
            ('company', '=', portal.distributor.company.id),
            ('published', '=', True),
            ], limit=1)
    if not found:
        raise NotFound()
    return _file(legal_text_pdf(found[0]),
        'contract-%s.pdf' % found[0].version, 'application/pdf')


@route('/my-contract.pdf')
def my_contract(portal):
    Attachment = portal.pool.get('ir.attachment')
    own = Attachment.search([
            ('resource', '=', str(portal.distributor)),
            ('name', 'like', 'partner-contract-%'),
            ], limit=1)
    if not own:
        raise NotFound()
    return _file(own[0].data, own[0].name, 'application/pdf')


# Profile -------------------------------------------------------------------

@route('/profile', methods=('GET', 'POST'))
def profile(portal):
    pool = portal.pool
    Request = pool.get('mlm.portal.profile_request')
    Country = pool.get('country.country')
    me = portal.distributor
    kind = portal.form('kind')
    values, errors = {}, {}
    if portal.request.method == 'POST':
        if kind not in {'address', 'bank', 'tax'}:
            raise NotFound()
        names = {
            'address': ['street', 'postal_code', 'city', 'country'],
            'bank': ['iban'],
            'tax': ['tax_status', 'tax_number', 'vat_id'],
            }[kind]
        values = {name: portal.form(name) for name in names}
        values, errors = getattr(forms, kind)(values)
        if not errors:
            request = Request(company=me.company, distributor=me, kind=kind)
            if kind == 'address':
                request.street = values['street']
                request.postal_code = values['postal_code']
                request.city = values['city']
                request.country = values['country_record']
            elif kind == 'bank':
                request.iban = values['iban']
            else:
                request.tax_status = values['tax_status']
                request.tax_number = values.get('tax_number') or None
                request.vat_id = values.get('vat_id') or None
            request.save()
            return portal.redirect('/profile', sent=kind)
    party = me.party
    address = party.addresses[0] if party.addresses else None
    identifiers = {i.type: i.code for i in party.identifiers}
    iban = None
    if me.bank_account and me.bank_account.numbers:
        iban = me.bank_account.numbers[0].number
    requests = Request.search([('distributor', '=', me.id)])
    return portal.render('profile.html', party=party, address=address,
        identifiers=identifiers, iban=iban, requests=requests,
        countries=Country.search([], order=[('name', 'ASC')]),
        kind=kind, values=values, errors=errors, sent=portal.arg('sent'),
        status=400 if errors else 200)
