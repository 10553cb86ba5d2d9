# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
from secrets import token_urlsafe

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from mlm_network.distributor import TAX_STATUSES

from .exceptions import ApplicationError

STATES = [
    ('pending', "Waiting for Confirmation"),
    ('confirmed', "Confirmed"),
    ]


class Application(ModelSQL, ModelView):
    """Partner Application

    An online registration.  It becomes an active distributor only when the
    applicant confirms the e-mail address (double opt-in); the record then
    stays as the proof of the consent."""
    __string__ = "Partner Application"
    __name__ = 'mlm.portal.application'
    _rec_name = 'email'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')
    sponsor = fields.Many2One(
        'mlm.distributor', "Sponsor", required=True, readonly=True,
        ondelete='RESTRICT')
    email = fields.Char("E-Mail", required=True, readonly=True)
    password_hash = fields.Char("Password Hash", readonly=True)
    language = fields.Char("Language", readonly=True)
    first_name = fields.Char("First Name", required=True, readonly=True)
    last_name = fields.Char("Last Name", required=True, readonly=True)
    street = fields.Char("Street", required=True, readonly=True)
    postal_code = fields.Char("Postal Code", required=True, readonly=True)
    city = fields.Char("City", required=True, readonly=True)
    country = fields.Many2One(
        'country.country', "Country", required=True, readonly=True)
    phone = fields.Char("Phone", readonly=True)
    birth_date = fields.Date("Birth Date", required=True, readonly=True)
    tax_status = fields.Selection(
        TAX_STATUSES, "Tax Status", required=True, readonly=True)
    tax_number = fields.Char(
        "Tax Number", readonly=True, help="The German tax number (StNr).")
    vat_id = fields.Char("VAT ID", readonly=True)
    iban = fields.Char("IBAN", required=True, readonly=True)
    contract = fields.Many2One(
        'mlm.portal.legal_text', "Contract", required=True, readonly=True,
        ondelete='RESTRICT')
    contract_digest = fields.Char(
        "Contract Digest", required=True, readonly=True,
        help="The SHA-256 of the contract text the applicant accepted.")
    privacy = fields.Many2One(
        'mlm.portal.legal_text', "Privacy Notice", required=True,
        readonly=True, ondelete='RESTRICT')
    privacy_digest = fields.Char(
        "Privacy Digest", required=True, readonly=True)
    marketing = fields.Many2One(
        'mlm.portal.legal_text', "Marketing Consent", readonly=True,
        ondelete='RESTRICT',
        help="Set only when the applicant opted in to marketing.")
    marketing_digest = fields.Char("Marketing Digest", readonly=True)
    submitted_at = fields.Timestamp(
        "Submitted at", required=True, readonly=True)
    submit_ip = fields.Char("Submitted from IP", readonly=True)
    submit_user_agent = fields.Char("Submitted with", readonly=True)
    token = fields.Char("Token", readonly=True, strip=False)
    confirmed_at = fields.Timestamp("Confirmed at", readonly=True)
    confirm_ip = fields.Char("Confirmed from IP", readonly=True)
    confirm_user_agent = fields.Char("Confirmed with", readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", readonly=True,
        ondelete='RESTRICT')
    web_user = fields.Many2One(
        'web.user', "Portal Login", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('token_unique', Unique(t, t.token),
                'mlm_portal.msg_application_token_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.token, Index.Equality(cardinality='high'))),
                Index(t, (t.state, Index.Equality()),
                    (t.submitted_at, Index.Range())),
                })
        cls._order = [('submitted_at', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_token():
        return token_urlsafe(32)

    @property
    def full_name(self):
        return '%s %s' % (self.first_name, self.last_name)

    @classmethod
    def by_token(cls, token):
        if not token or len(token) > 100:
            return None
        applications = cls.search([('token', '=', token)], limit=1)
        return applications[0] if applications else None

    def confirm(self, ip=None, user_agent=None):
        """Confirm the application: create the party, its bank account, the
        distributor (placed by the network's rules), the portal login and
        attach the accepted contract as PDF.  Returns the distributor."""
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')
        Address = pool.get('party.address')
        Mechanism = pool.get('party.contact_mechanism')
        BankAccount = pool.get('bank.account')
        Number = pool.get('bank.account.number')
        Distributor = pool.get('mlm.distributor')
        WebUser = pool.get('web.user')
        Lang = pool.get('ir.lang')
        Attachment = pool.get('ir.attachment')
        Date = pool.get('ir.date')
        if self.state != 'pending':
            raise ApplicationError(gettext(
                    'mlm_portal.msg_application_confirmed',
                    application=self.rec_name))
        if self.sponsor.status in {'terminated', 'suspended'}:
            raise ApplicationError(gettext(
                    'mlm_portal.msg_application_sponsor_inactive',
                    sponsor=self.sponsor.number))
        if WebUser.search([('email', '=', self.email)], limit=1):
            raise ApplicationError(gettext(
                    'mlm_portal.msg_application_email_taken'))
        langs = Lang.search([('code', '=', self.language or 'de')], limit=1)
        with Transaction().set_context(company=self.company.id), \
                without_check_access():
            party = Party(
                name=self.full_name, lang=langs[0] if langs else None)
            party.addresses = [Address(
                    street=self.street, postal_code=self.postal_code,
                    city=self.city, country=self.country)]
            mechanisms = [Mechanism(type='email', value=self.email)]
            if self.phone:
                mechanisms.append(Mechanism(type='phone', value=self.phone))
            party.contact_mechanisms = mechanisms
            identifiers = []
            if self.vat_id:
                identifiers.append(Identifier(type='eu_vat', code=self.vat_id))
            if self.tax_number:
                identifiers.append(Identifier(
                        type='de_stnr', code=self.tax_number))
            party.identifiers = identifiers
            party.save()
            account = BankAccount(owners=[party])
            account.numbers = [Number(type='iban', number=self.iban)]
            account.save()
            distributor = Distributor(
                company=self.company, party=party, sponsor=self.sponsor,
                join_date=Date.today(), status='active',
                tax_status=self.tax_status, bank_account=account,
                contract_reference='%s %s' % (
                    self.contract.title, self.contract.version))
            distributor.save()
            user = WebUser(
                email=self.email, party=party, email_valid=True,
                password_hash=self.password_hash)
            user.save()
            self.state = 'confirmed'
            self.confirmed_at = dt.datetime.now()
            self.confirm_ip = ip
            self.confirm_user_agent = (user_agent or '')[:500] or None
            self.distributor = distributor
            self.web_user = user
            self.token = None
            self.password_hash = None
            self.save()
            Attachment(
                resource=distributor,
                name='partner-contract-%s.pdf' % distributor.number,
                type='data', data=self.contract_pdf(),
                description=gettext(
                    'mlm_portal.msg_contract_attachment',
                    version=self.contract.version,
                    digest=self.contract_digest)).save()
        return distributor

    def contract_pdf(self):
        "The accepted contract with the consent proof as PDF bytes"
        from . import pdf
        return pdf.contract_pdf(self)

    @classmethod
    def delete_expired(cls, date=None):
        "Delete the unconfirmed applications older than the opt-in validity"
        pool = Pool()
        Configuration = pool.get('mlm.portal.configuration')
        config = Configuration(1)
        now = dt.datetime.now()
        limit = now - dt.timedelta(days=config.opt_in_validity_days)
        expired = cls.search([
                ('state', '=', 'pending'),
                ('submitted_at', '<', limit),
                ])
        cls.delete(expired)
        return len(expired)

    def is_expired(self):
        Configuration = Pool().get('mlm.portal.configuration')
        days = Configuration(1).opt_in_validity_days
        return self.submitted_at < (
            dt.datetime.now() - dt.timedelta(days=days))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mlm.portal.application|delete_expired',
                "Delete Unconfirmed Partner Applications"))
