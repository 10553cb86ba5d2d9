# This file is part of the MLM suite. See LICENSE for details.
from sql import Null

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .distributor import STATUSES

KINDS = [
    ('sponsor', "Sponsor"),
    ('placement', "Placement"),
    ('status', "Status"),
    ('customer', "Customer"),
    ]


class Event(ModelSQL, ModelView):
    __string__ = "Genealogy Event"
    __name__ = 'mlm.genealogy.event'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, readonly=True,
        ondelete='CASCADE',
        help="The distributor whose sponsor, placement or status changes, "
        "or who receives the customer.")
    valid_from = fields.Date(
        "Valid From", required=True, readonly=True,
        help="The change applies to the structure from this date on.")
    old_sponsor = fields.Many2One(
        'mlm.distributor', "Old Sponsor", readonly=True,
        states={'invisible': Eval('kind') != 'sponsor'})
    new_sponsor = fields.Many2One(
        'mlm.distributor', "New Sponsor", readonly=True,
        states={'invisible': Eval('kind') != 'sponsor'})
    structure = fields.Many2One(
        'mlm.structure', "Structure", readonly=True,
        states={'invisible': Eval('kind') != 'placement'})
    placement = fields.Many2One(
        'mlm.placement', "Placement", readonly=True, ondelete='CASCADE',
        states={'invisible': Eval('kind') != 'placement'})
    old_parent = fields.Many2One(
        'mlm.placement', "Old Parent", readonly=True,
        states={'invisible': Eval('kind') != 'placement'})
    new_parent = fields.Many2One(
        'mlm.placement', "New Parent", readonly=True,
        states={'invisible': Eval('kind') != 'placement'})
    old_position = fields.Integer(
        "Old Position", readonly=True,
        states={'invisible': Eval('kind') != 'placement'})
    new_position = fields.Integer(
        "New Position", readonly=True,
        states={'invisible': Eval('kind') != 'placement'})
    old_status = fields.Selection(
        [(None, '')] + STATUSES, "Old Status", readonly=True,
        states={'invisible': Eval('kind') != 'status'})
    new_status = fields.Selection(
        [(None, '')] + STATUSES, "New Status", readonly=True,
        states={'invisible': Eval('kind') != 'status'})
    customer = fields.Many2One(
        'party.party', "Customer", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        states={'invisible': Eval('kind') != 'customer'})
    old_distributor = fields.Many2One(
        'mlm.distributor', "Old Distributor", readonly=True,
        states={'invisible': Eval('kind') != 'customer'})
    reason = fields.Text("Reason", readonly=True)
    requester = fields.Many2One('res.user', "Requested by", readonly=True)
    approver = fields.Many2One('res.user', "Approved by", readonly=True)
    cause = fields.Many2One(
        'mlm.genealogy.event', "Cause", readonly=True,
        help="The event that triggered this one, "
        "e.g. the termination behind a roll-up.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.kind, Index.Equality()),
                    (t.distributor, Index.Equality()),
                    (t.valid_from, Index.Range())),
                Index(t,
                    (t.kind, Index.Equality()),
                    (t.valid_from, Index.Range())),
                })
        cls._order = [
            ('valid_from', 'DESC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.distributor.rec_name, self.kind_string, self.valid_from)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('distributor.rec_name',) + tuple(clause[1:])]

    @classmethod
    def parents_at(cls, kind, ids, date, company=None):
        """Return {id: parent on date} for the ids with events after date.

        kind is 'sponsor' (ids are distributors) or 'placement' (ids are
        placements).  One query, whatever the number of ids.
        """
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        if kind == 'sponsor':
            node, old = table.distributor, table.old_sponsor
        else:
            node, old = table.placement, table.old_parent
        result = {}
        where = (table.kind == kind) & (table.valid_from > date)
        if company is not None:
            where &= table.company == company
        if ids is not None:
            ids = list(ids)
            if not ids:
                return result
            if len(ids) < 10000:
                where &= node.in_(ids)
        cursor.execute(*table.select(
                node, old, where=where,
                order_by=[table.valid_from.desc, table.id.desc]))
        # the last row per node is its first event after date
        wanted = set(ids) if ids is not None else None
        for node_id, old_id in cursor:
            if wanted is None or node_id in wanted:
                result[node_id] = old_id
        return result

    @classmethod
    def moved_after(cls, kind, date, company, limit=10000):
        """Return {id: parent on date} of every node with events after date

        or None when there are more than limit such events (the caller then
        asks for the nodes it needs with parents_at)."""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        if kind == 'sponsor':
            node, old = table.distributor, table.old_sponsor
        else:
            node, old = table.placement, table.old_parent
        cursor.execute(*table.select(
                node, old,
                where=(table.kind == kind) & (table.valid_from > date)
                & (table.company == company),
                order_by=[table.valid_from.desc, table.id.desc],
                limit=limit + 1))
        rows = cursor.fetchall()
        if len(rows) > limit:
            return None
        return dict(rows)

    @classmethod
    def dates_after(cls, kind, date, company=None):
        "Return the sorted distinct dates of events of kind after date"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        where = (table.kind == kind) & (table.valid_from > date)
        if company is not None:
            where &= table.company == company
        cursor.execute(*table.select(
                table.valid_from, where=where,
                group_by=[table.valid_from],
                order_by=[table.valid_from.asc]))
        return [d for d, in cursor]

    @classmethod
    def last_date(cls, kind, node_id):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        node = table.distributor if kind == 'sponsor' else table.placement
        cursor.execute(*table.select(
                table.valid_from,
                where=(table.kind == kind) & (node == node_id)
                & (table.valid_from != Null),
                order_by=[table.valid_from.desc], limit=1))
        row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def last_sponsor_change(cls, company):
        "Return the date of the latest sponsor event of company"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(
                table.valid_from,
                where=(table.kind == 'sponsor')
                & (table.company == company.id),
                order_by=[table.valid_from.desc], limit=1))
        row = cursor.fetchone()
        return row[0] if row else None
