# This file is part of the MLM suite. See LICENSE for details.
"""The HTTP layer of the portal: routing, sessions, CSRF, languages, pages.

Routes are registered on trytond's WSGI application under
``/<database>/portal/``.  They run as user 0 without access checks, so
every query below is filtered by the distributor of the logged-in web user.
"""
import datetime as dt
import hmac
import logging
import urllib.parse
from decimal import Decimal
from functools import wraps
from pathlib import Path
from secrets import token_urlsafe

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.utils import redirect as _redirect
from werkzeug.wrappers import Response

from trytond import backend
from trytond.exceptions import RateLimitException, UserError, UserWarning
from trytond.i18n import gettext
from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.transaction import Transaction, TransactionError
from trytond.wsgi import app

from . import i18n

logger = logging.getLogger(__name__)

PREFIX = '/<database_name>/portal'
SESSION_COOKIE = 'mlm_portal_session'
CSRF_COOKIE = 'mlm_portal_csrf'
LANG_COOKIE = 'mlm_portal_lang'
CSRF_FIELD = 'csrf_token'
HERE = Path(__file__).parent
STATIC = {
    'portal.css': 'text/css; charset=utf-8',
    'portal.js': 'text/javascript; charset=utf-8',
    }
SECURITY_HEADERS = {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy': (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'"),
    }

environment = Environment(
    loader=FileSystemLoader(str(HERE / 'templates')),
    autoescape=select_autoescape(['html']),
    trim_blocks=True, lstrip_blocks=True)


class FormExpired(Exception):
    "The CSRF token of a form is missing or wrong"


def format_date(value, lang):
    if not value:
        return ''
    if isinstance(value, dt.datetime):
        return value.strftime(
            '%d.%m.%Y %H:%M' if lang == 'de' else '%Y-%m-%d %H:%M')
    return value.strftime('%d.%m.%Y' if lang == 'de' else '%Y-%m-%d')


def format_number(value, lang, digits=None):
    if value is None or value == '':
        return ''
    if isinstance(value, float):
        value = Decimal(str(value))
    if digits is None:
        digits = 0 if (isinstance(value, int)
            or value == value.to_integral_value()) else 2
    text = '{:,.{}f}'.format(value, digits)
    if lang == 'de':
        text = text.replace(',', '_').replace('.', ',').replace('_', '.')
    return text


class Portal:
    "The state of one portal request: language, user, cookies to set"

    def __init__(self, request, pool):
        self.request = request
        self.pool = pool
        self.database = pool.database_name
        self.base = '/%s/portal' % self.database
        self.lang = self._language()
        self.cookies = {}
        self.csrf = request.cookies.get(CSRF_COOKIE)
        if not self.csrf or len(self.csrf) > 100:
            self.csrf = token_urlsafe(32)
            self.cookies[CSRF_COOKIE] = (self.csrf, None)
        self.session = request.cookies.get(SESSION_COOKIE)
        self.user = None
        self.distributor = None

    def _language(self):
        lang = self.request.cookies.get(LANG_COOKIE)
        if lang in i18n.LANGUAGES:
            return lang
        return self.request.accept_languages.best_match(
            i18n.LANGUAGES, default=i18n.DEFAULT)

    def load_user(self):
        WebUser = self.pool.get('web.user')
        if not self.session or len(self.session) > 200:
            return
        self.load_user_from(WebUser.get_user(self.session))

    def load_user_from(self, user):
        Distributor = self.pool.get('mlm.distributor')
        if not user or not user.active or not user.party:
            return
        distributors = Distributor.search([
                ('party', '=', user.party.id),
                ('status', 'in', ['active', 'inactive', 'suspended']),
                ], limit=1)
        if distributors:
            self.user = user
            self.distributor = distributors[0]

    # helpers for the pages -------------------------------------------------

    def _(self, text, **kwargs):
        return i18n.translate(self.lang, text, **kwargs)

    def qualification(self, record):
        "The labels and values of the figures a rank record holds"
        _ = self._
        labels = [
            ('pv', _("Personal volume (PV)")),
            ('gv', _("Group volume (GV)")),
            ('qualifying_gv', _("Group volume counted for the next rank")),
            ('qualified_legs', _("Qualified legs")),
            ]
        return [(label, getattr(record, name)) for name, label in labels
            if getattr(record, name) is not None]

    def url(self, path='', **query):
        url = self.base + path
        query = {k: v for k, v in query.items() if v not in (None, '')}
        if query:
            url += '?' + urllib.parse.urlencode(query)
        return url

    def form(self, name, default=''):
        value = self.request.form.get(name, default)
        return value.strip() if isinstance(value, str) else value

    def arg(self, name, default=''):
        return self.request.args.get(name, default)

    def int_arg(self, name, default=None):
        try:
            return int(self.request.args.get(name, default))
        except (TypeError, ValueError):
            return default

    @property
    def remote_addr(self):
        return self.request.remote_addr

    @property
    def user_agent(self):
        return (self.request.headers.get('User-Agent') or '')[:500]

    def render(self, template, status=200, **values):
        values.update({
                '_': self._,
                'portal': self,
                'base': self.base,
                'lang': self.lang,
                'languages': i18n.LANGUAGES,
                'csrf_field': CSRF_FIELD,
                'csrf_token': self.csrf,
                'user': self.user,
                'me': self.distributor,
                'date': lambda v: format_date(v, self.lang),
                'number': lambda v, d=None: format_number(v, self.lang, d),
                'qualification': self.qualification,
                'path': self.request.path,
                'full_path': self.request.full_path.rstrip('?'),
                })
        body = environment.get_template(template).render(**values)
        return Response(
            body, status=status, content_type='text/html; charset=utf-8')

    def redirect(self, path, **query):
        return _redirect(self.url(path, **query), code=303)

    def redirect_to(self, url):
        return _redirect(url, code=303)

    def message_page(self, title, text, status=200, link=None,
            link_text=None):
        return self.render('notice.html', status=status,
            title=title, text=text, link=link, link_text=link_text)

    def not_found(self):
        return self.render('error.html', status=404,
            title=self._("Page not found"),
            text=self._("The page does not exist or is not available "
                "to you."))

    def set_session(self, key):
        self.cookies[SESSION_COOKIE] = (key, None)

    def clear_session(self):
        self.cookies[SESSION_COOKIE] = ('', 0)

    def set_language(self, lang):
        self.cookies[LANG_COOKIE] = (lang, 365 * 24 * 60 * 60)

    def check_csrf(self):
        sent = self.request.form.get(CSRF_FIELD, '')
        cookie = self.request.cookies.get(CSRF_COOKIE, '')
        if not (sent and cookie and hmac.compare_digest(sent, cookie)):
            raise FormExpired()

    def finish(self, response):
        secure = self.request.scheme == 'https'
        for name, (value, max_age) in self.cookies.items():
            response.set_cookie(
                name, value, max_age=max_age, path=self.base + '/',
                secure=secure, httponly=True, samesite='Lax')
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if self.user:
            response.headers['Cache-Control'] = 'no-store'
        return response


def fallback_error(status, lang='en'):
    "A page shown when not even the database could be reached"
    def _(text, **kwargs):
        return i18n.translate(lang, text, **kwargs)
    title = _("Service unavailable") if status >= 500 \
        else _("Page not found")
    body = environment.get_template('fallback.html').render(
        title=title, lang=lang, _=_)
    response = Response(body, status=status,
        content_type='text/html; charset=utf-8')
    for header, value in SECURITY_HEADERS.items():
        response.headers[header] = value
    return response


def route(path, methods=('GET',), login=True, readonly=None):
    """Register a portal page.

    The page function receives the Portal object and the URL arguments.
    With login the page needs a logged-in partner (else: login page).
    Every POST needs the CSRF token.  No exception leaves as traceback."""
    def decorator(func):
        @with_transaction(readonly=readonly)
        def in_transaction(request, pool, **kwargs):
            transaction = Transaction()
            try:
                pool.get('mlm.portal.configuration')
            except KeyError:
                raise NotFound()
            portal = Portal(request, pool)
            with transaction.set_context(language=portal.lang):
                try:
                    portal.load_user()
                    if request.method == 'POST':
                        portal.check_csrf()
                    if login and not portal.distributor:
                        if request.method == 'GET':
                            response = portal.redirect(
                                '/login', next=request.full_path.rstrip('?'))
                        else:
                            response = portal.redirect('/login')
                    else:
                        company = (portal.distributor.company.id
                            if portal.distributor else None)
                        with transaction.set_context(company=company):
                            response = func(portal, **kwargs)
                except FormExpired:
                    transaction.rollback()
                    response = portal.render('error.html', status=400,
                        title=portal._("Form expired"),
                        text=portal._("The form has expired. Please "
                            "reload the page and send it again."))
                except RateLimitException:
                    transaction.rollback()
                    response = portal.render('error.html', status=429,
                        title=portal._("Too many attempts"),
                        text=portal._("Too many attempts. Please wait a few "
                            "minutes and try again."))
                except NotFound:
                    transaction.rollback()
                    response = portal.not_found()
                except (UserError, UserWarning) as exception:
                    transaction.rollback()
                    response = portal.render('error.html', status=400,
                        title=portal._("Request not possible"),
                        text=exception.message)
                except (backend.DatabaseOperationalError,
                        TransactionError):
                    raise
                except Exception:
                    logger.exception("portal page %s failed", request.path)
                    transaction.rollback()
                    response = portal.render('error.html', status=500,
                        title=portal._("Something went wrong"),
                        text=portal._("The page could not be shown. Please "
                            "try again later."))
            return portal.finish(response)

        pooled = with_pool(in_transaction)

        @wraps(func)
        def endpoint(request, database_name, **kwargs):
            lang = request.cookies.get(LANG_COOKIE)
            if lang not in i18n.LANGUAGES:
                lang = request.accept_languages.best_match(
                    i18n.LANGUAGES, default=i18n.DEFAULT)
            try:
                return pooled(request, database_name, **kwargs)
            except HTTPException as exception:
                return fallback_error(
                    404 if exception.code in {404, 405} else (
                        exception.code or 500), lang)
            except Exception:
                logger.exception("portal request %s failed", request.path)
                return fallback_error(503, lang)
        app.route(PREFIX + path, methods=list(methods))(endpoint)
        return func
    return decorator


def static_route():
    @app.route(PREFIX + '/static/<name>', methods=['GET'])
    def static(request, database_name, name):
        if name not in STATIC:
            return fallback_error(404)
        response = Response(
            (HERE / 'static' / name).read_bytes(),
            content_type=STATIC[name])
        response.headers['Cache-Control'] = 'public, max-age=3600'
        for header, value in SECURITY_HEADERS.items():
            response.headers[header] = value
        return response


static_route()


def error_message(msg_id, **kwargs):
    "The translated text of an ir.message of the portal"
    return gettext('mlm_portal.' + msg_id, **kwargs)
