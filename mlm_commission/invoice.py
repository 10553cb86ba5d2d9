# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    mlm_paid_date = fields.Date(
        "Commission Paid Date", readonly=True,
        help="The date the invoice was fully paid; volume becomes "
        "commissionable on it when the plan pays on payment.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude.add('mlm_paid_date')

    @classmethod
    def _post(cls, invoices):
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        super()._post(invoices)
        Volume.create_from_invoices(
            [i for i in invoices if i.state in {'posted', 'paid'}])

    @classmethod
    def paid(cls, invoices):
        Date = Pool().get('ir.date')
        super().paid(invoices)
        for invoice in invoices:
            if not invoice.mlm_paid_date:
                invoice.mlm_paid_date = invoice.reconciled or Date.today()
        cls.save(invoices)

    @classmethod
    def process(cls, invoices):
        super().process(invoices)
        unpaid = [i for i in cls.browse(invoices)
            if i.state != 'paid' and i.mlm_paid_date]
        if unpaid:
            cls.write(unpaid, {'mlm_paid_date': None})

    @classmethod
    def cancel(cls, invoices):
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        Date = pool.get('ir.date')
        posted = [i for i in invoices if i.state in {'posted', 'paid'}]
        super().cancel(invoices)
        cancelled = [i for i in cls.browse(posted) if i.state == 'cancelled']
        if cancelled:
            Volume.reverse_invoices(cancelled, Date.today())
