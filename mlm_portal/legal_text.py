# This file is part of the MLM suite. See LICENSE for details.
import hashlib

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import LegalTextError

KINDS = [
    ('contract', "Partner Contract"),
    ('privacy', "Privacy Notice"),
    ('marketing', "Marketing Consent"),
    ]


def digest(text):
    "SHA-256 of the exact text as accepted (UTF-8, as stored)"
    return hashlib.sha256((text or '').encode('utf-8')).hexdigest()


class LegalText(ModelSQL, ModelView):
    """Legal Text

    A version of the partner contract, the privacy notice or the marketing
    consent.  A version that an applicant accepted is never changed: the
    proof of consent refers to it by its SHA-256 digest."""
    __string__ = "Legal Text"
    __name__ = 'mlm.portal.legal_text'

    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    version = fields.Char("Version", required=True)
    title = fields.Char("Title", required=True)
    text = fields.Text(
        "Text", required=True,
        help="The exact text shown to the applicant.")
    valid_from = fields.Date(
        "Valid From", required=True,
        help="The version applies to registrations from this date on.")
    digest = fields.Char(
        "Digest", readonly=True,
        help="The SHA-256 of the text, kept with every consent.")
    published = fields.Boolean(
        "Published", help="Offer the version on the downloads page.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('kind_version_unique',
                Unique(t, t.company, t.kind, t.version),
                'mlm_portal.msg_legal_text_version_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.kind, Index.Equality()),
                (t.valid_from, Index.Range())))
        cls._order = [('kind', 'ASC'), ('valid_from', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_published():
        return True

    def get_rec_name(self, name):
        return '%s %s' % (self.title, self.version)

    @classmethod
    def current(cls, company, kind, date=None):
        "Return the version of kind in force on date (None if none)"
        Date = Pool().get('ir.date')
        date = date or Date.today()
        texts = cls.search([
                ('company', '=', company.id),
                ('kind', '=', kind),
                ('valid_from', '<=', date),
                ], order=[('valid_from', 'DESC'), ('id', 'DESC')], limit=1)
        return texts[0] if texts else None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'text' in values:
            values['digest'] = digest(values['text'])
        return values

    @classmethod
    def check_modification(cls, mode, texts, values=None, external=False):
        pool = Pool()
        Application = pool.get('mlm.portal.application')
        super().check_modification(
            mode, texts, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and values and (
                    values.keys() & {'text', 'version', 'kind', 'company'})):
            used = Application.search(['OR',
                    ('contract', 'in', [t.id for t in texts]),
                    ('privacy', 'in', [t.id for t in texts]),
                    ('marketing', 'in', [t.id for t in texts]),
                    ], limit=1)
            if used:
                text = next(t for t in texts if t in {
                        used[0].contract, used[0].privacy,
                        used[0].marketing})
                raise LegalTextError(gettext(
                        'mlm_portal.msg_legal_text_used',
                        text=text.rec_name))
