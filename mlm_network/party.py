# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    distributors = fields.One2Many(
        'mlm.distributor', 'party', "Distributors", readonly=True)
    distributor = fields.Function(fields.Many2One(
            'mlm.distributor', "Distributor",
            help="The distributor record of the party in the company."),
        'get_distributor')
    customer_of = fields.Function(fields.Many2One(
            'mlm.distributor', "Customer of",
            help="The distributor credited for the orders of the party."),
        'get_customer_of')
    customer_assignments = fields.One2Many(
        'mlm.customer.assignment', 'customer', "Customer Assignments",
        readonly=True,
        help="The distributors the party was the customer of.")

    @classmethod
    def get_distributor(cls, parties, name):
        Distributor = Pool().get('mlm.distributor')
        company = Transaction().context.get('company')
        result = dict.fromkeys((p.id for p in parties), None)
        if not company:
            return result
        for distributor in Distributor.search([
                    ('company', '=', company),
                    ('party', 'in', [p.id for p in parties]),
                    ]):
            result[distributor.party.id] = distributor.id
        return result

    def get_customer_of(self, name):
        pool = Pool()
        Assignment = pool.get('mlm.customer.assignment')
        Date = pool.get('ir.date')
        if not Transaction().context.get('company'):
            return None
        distributor = Assignment.distributor_for(self, Date.today())
        return distributor.id if distributor else None
