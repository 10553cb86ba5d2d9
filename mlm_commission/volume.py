# This file is part of the MLM suite. See LICENSE for details.
"""The volume ledger: immutable PV/CV entries from posted invoice lines.

An ``order`` entry is written when a customer invoice line of a product with
PV or CV is posted; a credit note line or the cancellation of a posted
invoice writes a ``return`` entry (negative volumes) linked to the order
entry it reverses.  Entries are never edited nor deleted.
"""
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import VolumeImmutableError

CENT = Decimal('0.01')


def volume_of(quantity, per_unit):
    "Volume of quantity units, rounded once to the cent (half up)"
    return (Decimal(str(quantity)) * (per_unit or 0)).quantize(
        CENT, rounding=ROUND_HALF_UP)


class Volume(ModelSQL, ModelView):
    __string__ = "Volume Entry"
    __name__ = 'mlm.commission.volume'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    kind = fields.Selection([
            ('order', "Order"),
            ('return', "Return"),
            ], "Kind", required=True, readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The distributor credited: the buyer or the partner of the "
        "protected customer.")
    customer_order = fields.Boolean(
        "Customer Order", readonly=True,
        help="Bought by a protected customer of the distributor.")
    party = fields.Many2One(
        'party.party', "Buyer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, readonly=True,
        ondelete='RESTRICT')
    invoice_line = fields.Many2One(
        'account.invoice.line', "Invoice Line", required=True, readonly=True,
        ondelete='RESTRICT')
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    order_date = fields.Date(
        "Order Date", required=True, readonly=True,
        help="The date whose plan version, genealogy and ranks apply.")
    posting_date = fields.Date(
        "Posting Date", required=True, readonly=True,
        help="The posting date of the invoice or credit note.")
    order = fields.Many2One(
        'mlm.commission.volume', "Order Entry", readonly=True,
        ondelete='RESTRICT',
        help="The order entry a return reverses.")
    reference = fields.Char("Reference", readonly=True)
    quantity = fields.Float("Quantity", readonly=True)
    pv = fields.Numeric("PV", digits=(16, 2), required=True, readonly=True)
    cv = fields.Numeric("CV", digits=(16, 2), required=True, readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.kind, Index.Equality()), (t.posting_date, Index.Range())),
                Index(t, (t.order, Index.Equality())),
                Index(t, (t.invoice, Index.Equality())),
                Index(t, (t.distributor, Index.Equality())),
                })
        cls._order = [('posting_date', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return '%s %s' % (self.reference or self.invoice.rec_name, self.kind)

    @classmethod
    def write(cls, *args):
        raise VolumeImmutableError(gettext(
                'mlm_commission.msg_volume_immutable'))

    @classmethod
    def delete(cls, entries):
        if entries:
            raise VolumeImmutableError(gettext(
                    'mlm_commission.msg_volume_immutable'))

    # Creation from invoices -------------------------------------------------

    @classmethod
    def attribution(cls, party, date, company):
        """Return (distributor, customer_order) credited for party on date.

        A party that is a distributor buys for itself; otherwise the
        distributor protecting the customer on date is credited."""
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Assignment = pool.get('mlm.customer.assignment')
        distributors = Distributor.search([
                ('party', '=', party.id),
                ('company', '=', company.id),
                ], limit=1)
        if distributors:
            return distributors[0], False
        distributor = Assignment.distributor_for(party, date, company.id)
        if distributor:
            return distributor, True
        return None, False

    @classmethod
    def _order_date(cls, line):
        "The order date of an invoice line: its sale date or invoice date"
        pool = Pool()
        try:
            SaleLine = pool.get('sale.line')
        except KeyError:
            SaleLine = None
        origin = line.origin
        if (SaleLine and isinstance(origin, SaleLine)
                and origin.sale and origin.sale.sale_date):
            return origin.sale.sale_date
        return line.invoice.invoice_date

    @classmethod
    def create_from_invoices(cls, invoices):
        "Write the volume entries of posted customer invoices"
        vlist = []
        existing = {e.invoice_line.id for e in cls.search([
                    ('invoice', 'in', [i.id for i in invoices]),
                    ])}
        for invoice in invoices:
            if invoice.type != 'out':
                continue
            for line in invoice.lines:
                if line.type != 'line' or not line.product:
                    continue
                if line.id in existing:
                    continue
                values = cls._values_from_line(line)
                if values:
                    vlist.append(values)
        return cls.create(vlist)

    @classmethod
    def _price_list(cls, line):
        """The price list an invoice line was sold at: its sale's, else the
        buyer's sale price list, else None"""
        pool = Pool()
        try:
            SaleLine = pool.get('sale.line')
        except KeyError:
            SaleLine = None
        origin = line.origin
        if SaleLine and isinstance(origin, SaleLine) and origin.sale:
            return getattr(origin.sale, 'price_list', None)
        party = line.invoice.party
        if hasattr(party, 'sale_price_list'):
            with Transaction().set_context(company=line.invoice.company.id):
                return type(party)(party.id).sale_price_list
        return None

    @classmethod
    def _values_from_line(cls, line):
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        invoice = line.invoice
        quantity = line.quantity
        order = None
        if quantity < 0:
            # credit note line: reverse the entry of the credited line
            if isinstance(line.origin, InvoiceLine):
                orders = cls.search([
                        ('invoice_line', '=', line.origin.id),
                        ('kind', '=', 'order'),
                        ], limit=1)
                order = orders[0] if orders else None
            if not order:
                return
            distributor, customer_order = (
                order.distributor, order.customer_order)
            order_date = order.order_date
            # the order's volume per unit, whatever the product says today
            pv, cv = (proportional(order, name, quantity)
                for name in ['pv', 'cv'])
        else:
            pv_unit, cv_unit = line.product.template.mlm_volumes(
                cls._price_list(line))
            if not (pv_unit or cv_unit):
                return
            order_date = cls._order_date(line)
            distributor, customer_order = cls.attribution(
                invoice.party, order_date, invoice.company)
            if not distributor:
                return
            pv, cv = volume_of(quantity, pv_unit), volume_of(quantity, cv_unit)
        return {
            'company': invoice.company.id,
            'kind': 'return' if order else 'order',
            'distributor': distributor.id,
            'customer_order': customer_order,
            'party': invoice.party.id,
            'invoice': invoice.id,
            'invoice_line': line.id,
            'product': line.product.id,
            'order_date': order_date,
            'posting_date': invoice.accounting_date or invoice.invoice_date,
            'order': order.id if order else None,
            'reference': invoice.number,
            'quantity': quantity,
            'pv': pv,
            'cv': cv,
            'amount': invoice.currency.round(line.amount),
            }

    @classmethod
    def reverse_invoices(cls, invoices, date):
        "Write return entries for every open order entry of the invoices"
        orders = cls.search([
                ('invoice', 'in', [i.id for i in invoices]),
                ('kind', '=', 'order'),
                ])
        returned = cls.returned_quantities(orders)
        vlist = []
        for order in orders:
            factor = returned.get(order.id, 0)
            left = order.quantity - factor
            if left <= 0:
                continue
            vlist.append({
                    'company': order.company.id,
                    'kind': 'return',
                    'distributor': order.distributor.id,
                    'customer_order': order.customer_order,
                    'party': order.party.id,
                    'invoice': order.invoice.id,
                    'invoice_line': order.invoice_line.id,
                    'product': order.product.id if order.product else None,
                    'order_date': order.order_date,
                    'posting_date': date,
                    'order': order.id,
                    'reference': order.reference,
                    'quantity': -left,
                    # what is left of the order, so the entries net to zero
                    'pv': -(order.pv + sum_returned(order, 'pv', cls)),
                    'cv': -(order.cv + sum_returned(order, 'cv', cls)),
                    'amount': -(order.amount
                        + sum_returned(order, 'amount', cls)),
                    })
        return cls.create(vlist)

    @classmethod
    def returned_quantities(cls, orders):
        returns = cls.search([
                ('order', 'in', [o.id for o in orders]),
                ('kind', '=', 'return'),
                ])
        result = {}
        for entry in returns:
            result[entry.order.id] = result.get(entry.order.id, 0) - (
                entry.quantity or 0)
        return result

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


def proportional(order, name, quantity):
    "The volume name of order for quantity units, rounded once (half up)"
    if not order.quantity:
        return Decimal(0)
    return (getattr(order, name) * Decimal(str(quantity))
        / Decimal(str(order.quantity))).quantize(CENT, rounding=ROUND_HALF_UP)


def sum_returned(order, name, Volume):
    "The (negative) volume already returned of order"
    return sum((getattr(e, name) for e in Volume.search([
                    ('order', '=', order.id), ('kind', '=', 'return')])),
        Decimal(0))
