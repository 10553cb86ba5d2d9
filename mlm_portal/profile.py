# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from mlm_network.distributor import TAX_STATUSES

from .exceptions import ProfileRequestError

# employees may also enter a request received by letter or phone
_values = {'readonly': (Eval('state') != 'requested') | (Eval('id', -1) >= 0)}
KINDS = [
    ('address', "Address"),
    ('bank', "Bank Account"),
    ('tax', "Tax Data"),
    ]


class ProfileRequest(Workflow, ModelSQL, ModelView):
    """Profile Change Request

    A change of address, bank or tax data asked for in the portal.  It
    applies only when an employee approves it; the requests are the history
    of the partner's master data changes."""
    __string__ = "Profile Change Request"
    __name__ = 'mlm.portal.profile_request'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) >= 0})
    kind = fields.Selection(
        KINDS, "Kind", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    kind_string = kind.translated('kind')
    state = fields.Selection([
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ], "State", required=True, readonly=True)
    state_string = state.translated('state')
    requested_at = fields.Timestamp("Requested at", readonly=True)
    street = fields.Char("Street", states=_values)
    postal_code = fields.Char("Postal Code", states=_values)
    city = fields.Char("City", states=_values)
    country = fields.Many2One(
        'country.country', "Country", states=_values)
    iban = fields.Char("IBAN", states=_values)
    tax_status = fields.Selection(
        [(None, "")] + TAX_STATUSES, "Tax Status", states=_values)
    tax_status_string = tax_status.translated('tax_status')
    tax_number = fields.Char("Tax Number", states=_values)
    vat_id = fields.Char("VAT ID", states=_values)
    decided_by = fields.Many2One('res.user', "Decided by", readonly=True)
    decided_at = fields.Timestamp("Decided at", readonly=True)
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={'readonly': Eval('state') != 'requested'},
        help="Shown to the partner when the request is rejected.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.distributor, Index.Equality()),
                (t.requested_at, Index.Range())))
        cls._order = [('requested_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'rejected'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'requested'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('requested_at', dt.datetime.now())
        return values

    def get_rec_name(self, name):
        return '%s %s' % (self.distributor.rec_name, self.kind_string)

    @property
    def summary(self):
        "The requested values as text"
        if self.kind == 'address':
            return '%s, %s %s, %s' % (
                self.street, self.postal_code, self.city,
                self.country.code if self.country else '')
        elif self.kind == 'bank':
            return self.iban
        else:
            return ' '.join(filter(None, [
                        self.tax_status_string, self.tax_number,
                        self.vat_id]))

    @classmethod
    def _decided(cls):
        return {
            'decided_by': Transaction().user or None,
            'decided_at': dt.datetime.now(),
            }

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, requests):
        for request in requests:
            request.apply()
        cls.write(requests, cls._decided())

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, requests):
        for request in requests:
            if not request.rejection_reason:
                raise ProfileRequestError(gettext(
                        'mlm_portal.msg_profile_rejection_reason',
                        request=request.rec_name))
        cls.write(requests, cls._decided())

    def apply(self):
        "Write the requested values to the master data"
        pool = Pool()
        Address = pool.get('party.address')
        BankAccount = pool.get('bank.account')
        Number = pool.get('bank.account.number')
        Identifier = pool.get('party.identifier')
        Distributor = pool.get('mlm.distributor')
        distributor = self.distributor
        party = distributor.party
        with without_check_access():
            if self.kind == 'address':
                address = party.addresses[0] if party.addresses else Address(
                    party=party)
                address.street = self.street
                address.postal_code = self.postal_code
                address.city = self.city
                address.country = self.country
                address.save()
            elif self.kind == 'bank':
                account = BankAccount(owners=[party])
                account.numbers = [Number(type='iban', number=self.iban)]
                account.save()
                Distributor.write([distributor], {
                        'bank_account': account.id})
            elif self.kind == 'tax':
                Identifier.delete([i for i in party.identifiers
                        if i.type in {'eu_vat', 'de_stnr'}])
                new = []
                if self.vat_id:
                    new.append(Identifier(
                            party=party, type='eu_vat', code=self.vat_id))
                if self.tax_number:
                    new.append(Identifier(
                            party=party, type='de_stnr',
                            code=self.tax_number))
                Identifier.save(new)
                Distributor.write([distributor], {
                        'tax_status': self.tax_status})
