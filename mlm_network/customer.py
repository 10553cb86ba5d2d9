# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import CustomerAssignmentError


class CustomerAssignment(ModelSQL, ModelView):
    """Customer Assignment

    Customer protection: a party is the customer of exactly one distributor
    at a time; the orders of the customer credit that distributor whatever
    the sales channel."""
    __string__ = "Customer Assignment"
    __name__ = 'mlm.customer.assignment'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, readonly=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    type = fields.Selection([
            ('retail', "Retail Customer"),
            ('preferred', "Preferred Customer"),
            ], "Type", required=True, readonly=True)
    valid_from = fields.Date("Valid From", required=True, readonly=True)
    valid_to = fields.Date(
        "Valid To", readonly=True,
        domain=['OR',
            ('valid_to', '=', None),
            ('valid_to', '>=', Eval('valid_from', None)),
            ],
        help="The last day of the assignment, empty while it lasts.")
    reason = fields.Text("Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.customer, Index.Equality()),
                    (t.valid_from, Index.Range())),
                Index(t, (t.distributor, Index.Equality())),
                })
        cls._order = [('valid_from', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s → %s' % (self.customer.rec_name, self.distributor.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('customer.rec_name',) + tuple(clause[1:]),
            ('distributor.rec_name',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, assignments, field_names):
        super().validate_fields(assignments, field_names)
        cls.check_overlap(assignments)

    @classmethod
    def check_overlap(cls, assignments):
        for assignment in assignments:
            domain = [
                ('id', '!=', assignment.id),
                ('company', '=', assignment.company.id),
                ('customer', '=', assignment.customer.id),
                ['OR',
                    ('valid_to', '=', None),
                    ('valid_to', '>=', assignment.valid_from),
                    ],
                ]
            if assignment.valid_to:
                domain.append(('valid_from', '<=', assignment.valid_to))
            others = cls.search(domain, limit=1)
            if others:
                raise CustomerAssignmentError(gettext(
                        'mlm_network.msg_customer_overlap',
                        customer=assignment.customer.rec_name,
                        other=others[0].distributor.rec_name))

    @classmethod
    def distributor_for(cls, customer, date, company=None):
        "Return the distributor credited for orders of customer on date"
        company = company or Transaction().context.get('company')
        assignments = cls.search([
                ('company', '=', company),
                ('customer', '=', customer.id),
                ('valid_from', '<=', date),
                ['OR',
                    ('valid_to', '=', None),
                    ('valid_to', '>=', date),
                    ],
                ], limit=1)
        if assignments:
            return assignments[0].distributor

    @classmethod
    def assign(cls, customer, distributor, date, type='retail', reason=None,
            requester=None, approver=None):
        """Assign customer to distributor from date on.

        The current assignment ends the day before; the change is recorded
        as a customer event."""
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        Date = pool.get('ir.date')
        company = distributor.company
        if distributor.status == 'terminated':
            raise CustomerAssignmentError(gettext(
                    'mlm_network.msg_customer_terminated',
                    distributor=distributor.rec_name))
        if date > Date.today():
            raise CustomerAssignmentError(gettext(
                    'mlm_network.msg_customer_future',
                    customer=customer.rec_name, date=date))
        current = cls.search([
                ('company', '=', company.id),
                ('customer', '=', customer.id),
                ('valid_to', '=', None),
                ], limit=1)
        old = None
        with without_check_access():
            if current:
                current, = current
                if current.valid_from >= date:
                    raise CustomerAssignmentError(gettext(
                            'mlm_network.msg_customer_before_current',
                            customer=customer.rec_name,
                            date=current.valid_from))
                if current.distributor == distributor:
                    raise CustomerAssignmentError(gettext(
                            'mlm_network.msg_customer_same',
                            customer=customer.rec_name,
                            distributor=distributor.rec_name))
                old = current.distributor
                current.valid_to = date - dt.timedelta(days=1)
                current.save()
            assignment = cls(
                company=company, customer=customer, distributor=distributor,
                type=type, valid_from=date, reason=reason)
            assignment.save()
            user = Transaction().user or None
            Event.create([{
                        'company': company.id,
                        'kind': 'customer',
                        'distributor': distributor.id,
                        'customer': customer.id,
                        'old_distributor': old.id if old else None,
                        'valid_from': date,
                        'reason': reason,
                        'requester': requester.id if requester else user,
                        'approver': approver.id if approver else user,
                        }])
        return assignment
