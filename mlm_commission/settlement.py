# This file is part of the MLM suite. See LICENSE for details.
"""Settlement: per partner and period, holdback, minimum payout, lock, VAT
regime and the Gutschrift (self-billed invoice, § 14 Abs. 2 UStG).

All amounts are computed in integer cents with the engine's rounding
(``money.apply_rate``, ADR 0010); see ADR 0042.
"""
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.model.exceptions import AccessError
from trytond.pyson import Eval
from trytond.transaction import Transaction

from mlm_network.references import referenced_ids

from .exceptions import PeriodError, SettlementError

STATES = [
    ('draft', "Draft"),
    ('carried', "Carried Forward"),
    ('blocked', "Blocked"),
    ('posted', "Posted"),
    ]
# party identifier types accepted as tax number or VAT ID
TAX_NUMBER_TYPES = {'de_stnr'}
NOTE_SMALL_BUSINESS = (
    "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet "
    "(Kleinunternehmerregelung).")
NOTE_REVERSE_CHARGE = (
    "Steuerschuldnerschaft des Leistungsempfängers "
    "(Reverse Charge, § 13b UStG).")


def to_cents(value):
    return int((Decimal(str(value or 0)) * 100).to_integral_value())


def to_money(cents):
    return Decimal(int(cents)).scaleb(-2)


def tax_identifier(party, vat_only=False):
    "The party's VAT ID (or German tax number unless vat_only), or None"
    for identifier in party.identifiers:
        if identifier.type and (identifier.type.endswith('_vat')
                or (not vat_only and identifier.type in TAX_NUMBER_TYPES)):
            return identifier
    return None


def invoice_address(party):
    "The address the supplier invoice is sent to, or None"
    return party.address_get(type='invoice')


class Distributor(metaclass=PoolMeta):
    __name__ = 'mlm.distributor'

    commission_locked = fields.Boolean(
        "Commission Locked",
        help="Commissions are computed but not paid out; the amounts are "
        "carried forward until the lock is lifted.")

    @classmethod
    def check_modification(
            cls, mode, distributors, values=None, external=False):
        super().check_modification(
            mode, distributors, values=values, external=external)
        if mode == 'delete' and distributors:
            # commission rows reference distributors without a foreign
            # key (ADR 0049)
            pool = Pool()
            ids = [d.id for d in distributors]
            referenced = sorted(set(referenced_ids(
                        ids, pool.get('mlm.commission.line'),
                        ['beneficiary', 'source_distributor'])
                    + referenced_ids(ids, pool.get('mlm.commission.figure'),
                        ['distributor'])))
            if referenced:
                raise AccessError(gettext(
                        'mlm_commission.msg_distributor_delete_commission',
                        distributor=cls(referenced[0]).rec_name))


class Settlement(Workflow, ModelSQL, ModelView):
    __string__ = "Commission Settlement"
    __name__ = 'mlm.commission.settlement'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True, readonly=True,
        ondelete='RESTRICT')
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, readonly=True,
        ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    number = fields.Char(
        "Number", readonly=True,
        help="The consecutive Gutschrift number, given when posted.")
    date = fields.Date("Date", readonly=True)
    tax_status = fields.Selection([
            ('regular', "Regular"),
            ('small_business', "Small Business (§ 19 UStG)"),
            ('reverse_charge', "EU Reverse Charge"),
            ], "Tax Status", required=True, readonly=True)
    tax_identifier = fields.Char("Tax Identifier", readonly=True)
    earned = fields.Numeric("Earned", digits=(16, 2), readonly=True)
    carried_in = fields.Numeric(
        "Carried In", digits=(16, 2), readonly=True,
        help="Amounts carried forward from earlier periods.")
    holdback = fields.Numeric("Holdback", digits=(16, 2), readonly=True)
    released = fields.Numeric(
        "Released Holdback", digits=(16, 2), readonly=True)
    net = fields.Numeric("Net Payout", digits=(16, 2), readonly=True)
    carried_out = fields.Numeric(
        "Carried Forward", digits=(16, 2), readonly=True)
    vat_rate = fields.Numeric("VAT Rate", digits=(16, 6), readonly=True)
    vat = fields.Numeric("VAT", digits=(16, 2), readonly=True)
    total = fields.Numeric("Total", digits=(16, 2), readonly=True)
    note = fields.Text("Tax Note", readonly=True)
    blocked_reason = fields.Text("Blocked Reason", readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Supplier Invoice", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('period_distributor_unique',
                Unique(t, t.period, t.distributor),
                'mlm_commission.msg_settlement_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.distributor, Index.Equality())))
        cls._order = [('period', 'DESC'), ('number', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {('draft', 'posted')}
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.number or '', self.period.rec_name,
            self.distributor.rec_name)

    @classmethod
    def check_modification(cls, mode, settlements, values=None,
            external=False):
        super().check_modification(
            mode, settlements, values=values, external=external)
        if mode == 'delete':
            for settlement in settlements:
                if settlement.state == 'posted':
                    raise SettlementError(gettext(
                            'mlm_commission.msg_settlement_posted',
                            settlement=settlement.rec_name))

    @classmethod
    def compute(cls, period):
        """(Re)compute the settlements of period for every distributor with
        lines, carried or held back amounts; posted ones are kept."""
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        Period = pool.get('mlm.commission.period')
        Distributor = pool.get('mlm.distributor')
        Configuration = pool.get('mlm.commission.configuration')
        from .engine.money import apply_rate
        if period.state not in {'approved', 'closed'}:
            raise PeriodError(gettext(
                    'mlm_commission.msg_settlement_period_state',
                    period=period.rec_name))
        if cls.search([('period', '=', period.id),
                    ('state', '=', 'posted')], limit=1):
            raise SettlementError(gettext(
                    'mlm_commission.msg_settlement_already_posted',
                    period=period.rec_name))
        previous = cls.search([('period', '=', period.id)])
        cls.detach_statements(previous)
        cls.delete(previous)
        config = Configuration(1)
        rate = int(Decimal(config.holdback_rate or 0) * 10**6)
        vat_micro = int(Decimal(config.vat_rate or 0) * 10**6)
        minimum = to_cents(config.minimum_payout)
        # earned per distributor: one SQL sum
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(line.beneficiary, Sum(line.amount),
                where=line.period == period.id,
                group_by=[line.beneficiary]))
        earned = {d: to_cents(a) for d, a in cursor}
        # carried and released from earlier settlements
        periods = Period.search([('company', '=', period.company.id)],
            order=[('start_date', 'ASC')])
        index = [p.id for p in periods].index(period.id)
        carried, released = {}, {}
        for settlement in cls.search([
                    ('company', '=', period.company.id),
                    ('period.start_date', '<', period.start_date),
                    ], order=[('period.start_date', 'ASC')]):
            carried[settlement.distributor.id] = to_cents(
                settlement.carried_out)
        if config.holdback_periods and index >= config.holdback_periods:
            source = periods[index - config.holdback_periods]
            for settlement in cls.search([('period', '=', source.id)]):
                released[settlement.distributor.id] = to_cents(
                    settlement.holdback)
        ids = sorted(set(earned) | {d for d, c in carried.items() if c}
            | {d for d, c in released.items() if c})
        vlist = []
        for distributor in Distributor.browse(ids):
            amount = earned.get(distributor.id, 0)
            holdback = apply_rate(amount, rate) if amount > 0 else 0
            available = (amount + carried.get(distributor.id, 0)
                - holdback + released.get(distributor.id, 0))
            values = {
                'company': period.company.id,
                'period': period.id,
                'distributor': distributor.id,
                'party': distributor.party.id,
                'tax_status': distributor.tax_status,
                'earned': to_money(amount),
                'carried_in': to_money(carried.get(distributor.id, 0)),
                'holdback': to_money(holdback),
                'released': to_money(released.get(distributor.id, 0)),
                'vat_rate': Decimal(0),
                'vat': to_money(0),
                }
            identifier = tax_identifier(
                distributor.party,
                vat_only=distributor.tax_status == 'reverse_charge')
            values['tax_identifier'] = identifier.code if identifier else None
            blocked = None
            if distributor.commission_locked:
                blocked = gettext('mlm_commission.msg_settlement_locked',
                    distributor=distributor.rec_name)
            elif available > 0 and not identifier and (
                    distributor.tax_status in {
                        'regular', 'reverse_charge'}):
                blocked = gettext(
                    'mlm_commission.msg_settlement_tax_identifier'
                    if distributor.tax_status == 'regular'
                    else 'mlm_commission.msg_settlement_vat_id',
                    distributor=distributor.rec_name)
            elif available > 0 and not invoice_address(distributor.party):
                blocked = gettext(
                    'mlm_commission.msg_settlement_invoice_address',
                    distributor=distributor.rec_name)
            if blocked:
                values.update(state='blocked', blocked_reason=blocked,
                    net=to_money(0), carried_out=to_money(available),
                    total=to_money(0))
            elif available < max(minimum, 1):
                values.update(state='carried', net=to_money(0),
                    carried_out=to_money(available), total=to_money(0))
            else:
                vat = 0
                note = None
                if distributor.tax_status == 'regular':
                    vat = apply_rate(available, vat_micro)
                    values['vat_rate'] = Decimal(vat_micro).scaleb(-6)
                elif distributor.tax_status == 'small_business':
                    note = NOTE_SMALL_BUSINESS
                else:
                    note = NOTE_REVERSE_CHARGE
                values.update(state='draft', net=to_money(available),
                    carried_out=to_money(0), vat=to_money(vat),
                    total=to_money(available + vat), note=note)
            vlist.append(values)
        settlements = cls.create(vlist)
        cls.attach_statements([s for s in settlements
                if s.state in {'carried', 'blocked'}])
        return settlements

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, settlements):
        """Give consecutive Gutschrift numbers (by distributor number) and
        post one supplier invoice per settlement."""
        pool = Pool()
        Configuration = pool.get('mlm.commission.configuration')
        Date = pool.get('ir.date')
        config = Configuration(1)
        if not config.gutschrift_sequence:
            raise SettlementError(gettext(
                    'mlm_commission.msg_settlement_sequence'))
        invoices = []
        for settlement in sorted(settlements, key=lambda s: (
                    s.period.start_date, s.distributor.number or '',
                    s.distributor.id)):
            settlement.number = config.gutschrift_sequence.get()
            settlement.date = Date.today()
            settlement.invoice = settlement._get_invoice(config)
            invoices.append(settlement.invoice)
        cls.save(settlements)
        Invoice = pool.get('account.invoice')
        Invoice.save(invoices)
        Invoice.post(invoices)
        cls.attach_statements(settlements)

    @property
    def statement_name(self):
        "The file name of the settlement's PDF statement"
        if self.number:
            return 'Gutschrift %s %s.pdf' % (self.number, self.period.name)
        # carried or blocked: a statement without payout and number
        return 'Provisionsabrechnung %s %s.pdf' % (
            self.period.name, self.distributor.number or self.distributor.id)

    @classmethod
    def attach_statements(cls, settlements):
        "Store the PDF statement on the period and on the partner"
        from .statement import attach, statement_pdf
        for settlement in settlements:
            attach(settlement.statement_name, statement_pdf(settlement),
                settlement.period, settlement.party)

    @classmethod
    def detach_statements(cls, settlements):
        "Delete the statements of settlements that are not posted"
        Attachment = Pool().get('ir.attachment')
        attachments = []
        for settlement in settlements:
            if settlement.state == 'posted':
                continue
            attachments += Attachment.search([
                    ('name', '=', settlement.statement_name),
                    ('resource', 'in', [
                            str(settlement.period), str(settlement.party)]),
                    ])
        Attachment.delete(attachments)

    def _get_invoice(self, config):
        "The supplier invoice of the settlement (commission expense)"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Line = pool.get('account.invoice.line')
        if not config.settlement_account:
            raise SettlementError(gettext(
                    'mlm_commission.msg_settlement_account'))
        if not invoice_address(self.party):
            raise SettlementError(gettext(
                    'mlm_commission.msg_settlement_invoice_address',
                    distributor=self.distributor.rec_name))
        invoice = Invoice(type='in', company=self.company, party=self.party,
            invoice_date=self.period.end_date,
            currency=self.company.currency)
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.reference = self.number
        invoice.description = 'Gutschrift %s %s' % (
            self.number, self.period.name)
        line = Line(type='line', quantity=1, unit_price=self.net,
            account=config.settlement_account, company=self.company,
            currency=self.company.currency,
            description='Provision %s' % self.period.name)
        line.taxes = []
        if self.tax_status == 'regular':
            if not config.settlement_tax:
                raise SettlementError(gettext(
                        'mlm_commission.msg_settlement_tax'))
            line.taxes = [config.settlement_tax]
        invoice.lines = [line]
        return invoice
