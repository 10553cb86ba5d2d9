# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    distributors = fields.One2Many(
        'mlm.distributor', 'party', "Distributors", readonly=True)
    customer_of = fields.Function(fields.Many2One(
            'mlm.distributor', "Customer of",
            help="The distributor credited for the orders of the party."),
        'get_customer_of')

    def get_customer_of(self, name):
        pool = Pool()
        Assignment = pool.get('mlm.customer.assignment')
        Date = pool.get('ir.date')
        if not Transaction().context.get('company'):
            return None
        distributor = Assignment.distributor_for(self, Date.today())
        return distributor.id if distributor else None
