# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import json
from decimal import Decimal

from sql import Cast, Column, For, Literal
from sql.aggregate import Count, Max
from sql.functions import CharLength, Function, Substring
from sql.operators import BinaryOperator, Concat

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import tree
from .exceptions import (
    GenealogyAccessError, MoveError, SponsorError, StatusError,
    TaxStatusError)

STATUSES = [
    ('applicant', "Applicant"),
    ('active', "Active"),
    ('inactive', "Inactive"),
    ('suspended', "Suspended"),
    ('terminated', "Terminated"),
    ]
# allowed status changes (terminated is final)
TRANSITIONS = {
    'applicant': {'active', 'terminated'},
    'active': {'inactive', 'suspended', 'terminated'},
    'inactive': {'active', 'suspended', 'terminated'},
    'suspended': {'active', 'inactive', 'terminated'},
    'terminated': set(),
    }
TAX_STATUSES = [
    ('regular', "Regular"),
    ('small_business', "Small Business (§ 19 UStG)"),
    ('reverse_charge', "EU Reverse Charge"),
    ]
# Length of the path prefix indexed on PostgreSQL: a B-tree entry is limited
# to about 2.7 kB, deeper paths are compared on this prefix and then filtered.
PATH_INDEX_LENGTH = 1000
# The columns of mlm_distributor copied into the path key index: the
# downline counts and pages are then answered by index-only scans.
PATH_KEY_INCLUDE = ['id', 'company', 'depth', 'number', 'status', 'join_date']


class Replace(Function):
    __slots__ = ()
    _function = 'REPLACE'


class PatternGreaterEqual(BinaryOperator):
    "Byte-wise >= of PostgreSQL, the order of a *_pattern_ops index"
    __slots__ = ()
    _operator = '~>=~'


class PatternLess(BinaryOperator):
    "Byte-wise < of PostgreSQL, the order of a *_pattern_ops index"
    __slots__ = ()
    _operator = '~<~'


def _path_key(column):
    """Return the stored path key column of the distributor table of column

    or None for any other path column (placements, SQLite)."""
    table = getattr(column, 'table', None)
    if (backend.name == 'postgresql'
            and getattr(column, 'name', None) == 'path'
            and getattr(table, '_name', None) == 'mlm_distributor'):
        return Column(table, 'path_key')


def path_prefix_where(column, path, depth=None):
    """SQL condition selecting the rows whose path starts with path.

    depth is the depth column: for long (deep) paths it narrows the rows
    sharing the indexed prefix before their paths are compared.  On the
    distributor table of PostgreSQL the condition is a byte-wise range on
    the stored path_key: unlike LIKE with a parameter it keeps using the
    index in a prepared (generic) plan, and the index covers counts and
    pages (ADR 0025)."""
    key = _path_key(column)
    if key is None:
        key = Substring(column, 1, PATH_INDEX_LENGTH)
        if len(path) < PATH_INDEX_LENGTH:
            # the indexed prefix holds the whole pattern
            return key.like(path + '%')
    elif len(path) < PATH_INDEX_LENGTH:
        # every path below ends its prefix with '/' followed by a digit,
        # and '0' is the character right after '/'
        return (PatternGreaterEqual(key, Cast(path, 'TEXT'))
            & PatternLess(key, Cast(path[:-1] + '0', 'TEXT')))
    # compare a slice: PostgreSQL then reads only the start of long paths
    where = ((key == path[:PATH_INDEX_LENGTH])
        & (Substring(column, 1, len(path)) == path))
    if depth is not None:
        where &= depth >= path.count('/') - 1
    return where


def _json_rows(Model, names, text):
    "Decode the JSON rows [[id, *values]] of names selected from Model"
    rows = json.loads(text or '[]', parse_float=Decimal)
    dates = [index for index, name in enumerate(names, 1)
        if Model._fields[name]._type == 'date']
    for row in rows:
        for index in dates:
            if row[index] is not None:
                row[index] = dt.date.fromisoformat(row[index])
    return rows


def fetch_rows(Model, ids, names):
    """Return {id: (values of the columns names)} of the rows of ids.

    No records: on PostgreSQL the rows come back as one JSON value, which
    the pure-Python driver decodes in milliseconds where it needs about
    half a second to read 10,000 rows one value at a time."""
    cursor = Transaction().connection.cursor()
    ids = list(ids)
    columns = ', '.join('"%s"' % n for n in ['id'] + list(names))
    result = {}
    if backend.name == 'postgresql':
        cursor.execute('SELECT json_agg(json_build_array(%s))::text '
            'FROM "%s" WHERE id = ANY(%%s)' % (columns, Model._table),
            (ids,))
        text, = cursor.fetchone()
        result.update(
            (i, tuple(v)) for i, *v in _json_rows(Model, names, text))
        return result
    for sub_ids in grouped_slice(ids):
        sub_ids = list(sub_ids)
        cursor.execute('SELECT %s FROM "%s" WHERE id IN (%s)'
            % (columns, Model._table, ', '.join(['?'] * len(sub_ids))),
            sub_ids)
        result.update((i, tuple(v)) for i, *v in cursor)
    return result


def browse(Model, ids, size=100):
    """Return the records of ids in order.

    Browsing in small groups: a browse list shares its ids with every
    record and checks them on each instantiation (quadratic)."""
    records = []
    for index in range(0, len(ids), size):
        records.extend(Model.browse(ids[index:index + size]))
    return records


def lock_rows(Model, ids):
    """Lock the rows of ids until the end of the transaction.

    A plain SELECT ... FOR UPDATE: unlike Model.lock() it waits instead of
    restarting the transaction, so scripts (import, demo) need no retry
    loop."""
    if backend.name != 'postgresql' or not ids:
        return
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(
            table.id, where=table.id.in_(list(ids)),
            for_=For('UPDATE')))


def clear_cache(Model):
    "Forget the cached records of Model after a raw SQL update"
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            cache[Model.__name__].clear()


def depth_expression(column):
    "SQL expression of the depth of a path ('1/' is 0)"
    return CharLength(column) - CharLength(Replace(column, '/', '')) - 1


class Distributor(ModelSQL, ModelView):
    __string__ = "Distributor"
    __name__ = 'mlm.distributor'
    _rec_name = 'number'

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0},
        context={'company': Eval('company', -1)}, depends={'company'})
    number = fields.Char(
        "Number", readonly=True,
        help="The partner number (Vertriebspartnernummer).")
    status = fields.Selection(
        STATUSES, "Status", required=True, readonly=True)
    status_string = status.translated('status')
    status_date = fields.Date(
        "Status Date", readonly=True,
        help="The date of the last status change.")
    status_reason = fields.Text("Status Reason", readonly=True)
    join_date = fields.Date(
        "Join Date", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    termination_date = fields.Date("Termination Date", readonly=True)
    sponsor = fields.Many2One(
        'mlm.distributor', "Sponsor", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('status', '!=', 'terminated'),
            If(Eval('id', -1) >= 0, ('id', '!=', Eval('id', -1)), ()),
            ],
        states={'readonly': Eval('id', -1) >= 0},
        help="The enroller who recruited the distributor.\n"
        "Use the move wizard to change it.")
    path = fields.Char("Path", readonly=True)
    depth = fields.Integer(
        "Depth", readonly=True,
        help="The number of sponsors above the distributor.")
    children = fields.One2Many(
        'mlm.distributor', 'sponsor', "Personally Sponsored", readonly=True)
    placement_preference = fields.Selection([
            (None, ""),
            ('left', "Outer Left"),
            ('right', "Outer Right"),
            ('weaker', "Weaker Leg"),
            ], "Placement Preference",
        help="Where the new partners of this sponsor are placed "
        "in binary structures.")
    tax_status = fields.Selection(
        TAX_STATUSES, "Tax Status", required=True,
        help="The VAT treatment of the commission statements "
        "(Gutschriften).")
    tax_identifier = fields.Function(fields.Many2One(
            'party.identifier', "Tax Identifier",
            help="The VAT ID or tax number of the party."),
        'on_change_with_tax_identifier')
    bank_account = fields.Many2One(
        'bank.account', "Bank Account", ondelete='RESTRICT',
        domain=[('owners', '=', Eval('party', -1))],
        help="The account the commissions are paid to.")
    contract_reference = fields.Char(
        "Contract Reference",
        help="The reference of the accepted partner contract.")
    placements = fields.One2Many(
        'mlm.placement', 'distributor', "Placements", readonly=True)
    events = fields.One2Many(
        'mlm.genealogy.event', 'distributor', "History", readonly=True)
    customers = fields.One2Many(
        'mlm.customer.assignment', 'distributor', "Customers",
        readonly=True)
    rank_records = fields.One2Many(
        'mlm.rank.record', 'distributor', "Ranks", readonly=True)
    personally_sponsored = fields.Function(fields.Integer(
            "Personally Sponsored",
            help="The number of partners sponsored directly."),
        'get_counts')
    downline_size = fields.Function(fields.Integer(
            "Downline Size",
            help="The number of partners in the sponsor downline."),
        'get_counts')
    downline_depth = fields.Function(fields.Integer(
            "Downline Depth",
            help="The number of levels of the sponsor downline."),
        'get_counts')
    downline_of = fields.Function(fields.Boolean(
            "Downline Of",
            help="Search with a distributor id to find its downline."),
        'get_downline_of')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('party_company_unique', Unique(t, t.party, t.company),
                'mlm_network.msg_distributor_party_unique'),
            ('number_company_unique', Unique(t, t.number, t.company),
                'mlm_network.msg_distributor_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.status, Index.Equality())),
                Index(t, (t.join_date, Index.Range())),
                # no index on depth alone: PostgreSQL would walk it to order
                # a downline page by depth, filtering most of the table,
                # instead of sorting the members found by the path key
                })
        cls._order = [('number', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'change_status': {
                    'invisible': Eval('status') == 'terminated',
                    'depends': ['status'],
                    },
                'move': {
                    'invisible': Eval('status') == 'terminated',
                    'depends': ['status'],
                    },
                })
        cls.__rpc__.update({
                'get_sponsor_at': RPC(instantiate=0, readonly=True),
                'get_upline_at': RPC(instantiate=0, readonly=True),
                'get_downline_at': RPC(instantiate=0, readonly=True),
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if backend.name == 'postgresql':
            cls._register_path_key()

    @classmethod
    def _register_path_key(cls):
        """Create the stored path key and its covering index (PostgreSQL)

        path_key is the first PATH_INDEX_LENGTH characters of path, computed
        by PostgreSQL on every insert and update: unlike an expression index
        a plain column allows index-only scans.  lz4 compresses the long
        paths of deep lines several times faster than the default pglz."""
        cursor = Transaction().connection.cursor()
        cursor.execute(
            'ALTER TABLE mlm_distributor ADD COLUMN IF NOT EXISTS path_key '
            'VARCHAR GENERATED ALWAYS AS (SUBSTRING(path FROM 1 FOR %s)) '
            'STORED' % PATH_INDEX_LENGTH)
        cursor.execute("SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'mlm_distributor'::regclass "
            "AND attname = 'path'")
        compression, = cursor.fetchone()
        if compression != 'l':
            try:
                cursor.execute('SAVEPOINT path_compression')
                cursor.execute('ALTER TABLE mlm_distributor '
                    'ALTER COLUMN path SET COMPRESSION lz4')
                cursor.execute('RELEASE SAVEPOINT path_compression')
            except Exception:
                # PostgreSQL built without lz4: keep pglz
                cursor.execute('ROLLBACK TO SAVEPOINT path_compression')
        cursor.execute('DROP INDEX IF EXISTS mlm_distributor_path_prefix')
        cursor.execute(
            'CREATE INDEX IF NOT EXISTS mlm_distributor_path_key '
            'ON mlm_distributor (path_key varchar_pattern_ops) '
            'INCLUDE (%s)' % ', '.join(PATH_KEY_INCLUDE))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_status():
        return 'applicant'

    @staticmethod
    def default_tax_status():
        return 'regular'

    @classmethod
    def default_join_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('party')
    def on_change_with_tax_identifier(self, name=None):
        if self.party and self.party.tax_identifier:
            return self.party.tax_identifier.id

    def get_rec_name(self, name):
        if self.party:
            return '%s - %s' % (self.number, self.party.rec_name)
        return self.number or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, value),
            ('party.rec_name', operator, value),
            ]

    @classmethod
    def get_counts(cls, distributors, names):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        result = {n: {d.id: 0 for d in distributors} for n in names}
        if 'personally_sponsored' in names:
            for sub_ids in grouped_slice([d.id for d in distributors]):
                cursor.execute(*table.select(
                        table.sponsor, Count(table.id),
                        where=table.sponsor.in_(list(sub_ids)),
                        group_by=[table.sponsor]))
                result['personally_sponsored'].update(cursor)
        if {'downline_size', 'downline_depth'} & set(names):
            for distributor in distributors:
                if not distributor.path:
                    continue
                cursor.execute(*table.select(
                        Count(table.id), Max(table.depth),
                        where=path_prefix_where(
                            table.path, distributor.path, table.depth)
                        & (table.id != distributor.id)))
                size, depth = cursor.fetchone()
                if 'downline_size' in names:
                    result['downline_size'][distributor.id] = size or 0
                if 'downline_depth' in names:
                    result['downline_depth'][distributor.id] = (
                        (depth - distributor.depth) if size else 0)
        return result

    def get_downline_of(self, name):
        return False

    @classmethod
    def domain_downline_of(cls, domain, tables):
        "SQL condition on the searched table itself (no sub-query)"
        table, _ = tables[None]
        _, operator, value = domain[:3]
        ids = value if isinstance(value, (list, tuple)) else [value]
        return cls._downline_where(table, [i for i in ids if i is not None])

    @classmethod
    def _downline_where(cls, table, distributor_ids, include_self=False):
        distributor = cls.__table__()
        cursor = Transaction().connection.cursor()
        paths = []
        for sub_ids in grouped_slice(distributor_ids):
            cursor.execute(*distributor.select(
                    distributor.path,
                    where=distributor.id.in_(list(sub_ids))))
            paths.extend(p for p, in cursor if p)
        where = Literal(False)
        for path in paths:
            where |= path_prefix_where(table.path, path, table.depth)
        if paths and not include_self:
            where &= ~table.id.in_(list(distributor_ids))
        return where

    @classmethod
    def validate_fields(cls, distributors, field_names):
        super().validate_fields(distributors, field_names)
        cls.check_sponsor(distributors, field_names)
        cls.check_tax_status(distributors, field_names)

    @classmethod
    def check_sponsor(cls, distributors, field_names=None):
        if field_names and not (
                field_names & {'sponsor', 'join_date', 'company'}):
            return
        if Transaction().context.get('_mlm_move'):
            # moves are checked by check_move against their date
            return
        for distributor in distributors:
            sponsor = distributor.sponsor
            if not sponsor:
                continue
            if sponsor.company != distributor.company:
                raise SponsorError(gettext(
                        'mlm_network.msg_sponsor_company',
                        distributor=distributor.rec_name,
                        sponsor=sponsor.rec_name))
            if sponsor.join_date > distributor.join_date:
                raise SponsorError(gettext(
                        'mlm_network.msg_sponsor_joined_later',
                        distributor=distributor.rec_name,
                        sponsor=sponsor.rec_name,
                        date=sponsor.join_date))

    @classmethod
    def check_tax_status(cls, distributors, field_names=None):
        if field_names and not (field_names & {'tax_status', 'party'}):
            return
        for distributor in distributors:
            if distributor.tax_status != 'reverse_charge':
                continue
            identifier = distributor.party.tax_identifier
            if not identifier or identifier.type != 'eu_vat':
                raise TaxStatusError(gettext(
                        'mlm_network.msg_tax_status_vat_required',
                        distributor=distributor.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('mlm.network.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            config = Configuration(1)
            values['number'] = config.partner_sequence.get()
        return values

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        Structure = pool.get('mlm.structure')
        for values in vlist:
            if values.get('sponsor'):
                sponsor = cls(values['sponsor'])
                if sponsor.status == 'terminated':
                    raise SponsorError(gettext(
                            'mlm_network.msg_sponsor_terminated',
                            sponsor=sponsor.rec_name))
        distributors = super().create(vlist)
        cls._set_paths(distributors)
        user = Transaction().user or None
        events = []
        for distributor in distributors:
            events.append(Event(
                    company=distributor.company, kind='sponsor',
                    distributor=distributor,
                    valid_from=distributor.join_date,
                    new_sponsor=distributor.sponsor,
                    requester=user, approver=user))
        with without_check_access():
            Event.save(events)
        if not Transaction().context.get('_mlm_no_placement'):
            Structure.place_new(distributors)
        return distributors

    @classmethod
    def write(cls, *args):
        context = Transaction().context
        actions = iter(args)
        moved = []
        for distributors, values in zip(actions, actions):
            if 'sponsor' in values and not context.get('_mlm_move'):
                raise MoveError(gettext(
                        'mlm_network.msg_sponsor_write',
                        distributor=distributors[0].rec_name
                        if distributors else ''))
            if 'sponsor' in values:
                moved.extend((d.id, d.path, d.depth) for d in distributors)
        super().write(*args)
        if moved:
            cls._move_paths(moved)

    @classmethod
    def delete(cls, distributors):
        # a distributor that is part of the history is never deleted
        for distributor in distributors:
            if distributor.status != 'applicant' or distributor.children:
                raise GenealogyAccessError(gettext(
                        'mlm_network.msg_distributor_delete',
                        distributor=distributor.rec_name))
        # rank records reference distributors without a foreign key
        # (ADR 0049): deleted with them, as ON DELETE CASCADE would
        RankRecord = Pool().get('mlm.rank.record')
        with without_check_access():
            records = RankRecord.search([
                    ('distributor', 'in', [d.id for d in distributors]),
                    ])
            if records:
                RankRecord.delete(records)
        super().delete(distributors)

    @classmethod
    def _set_paths(cls, distributors):
        "Write the path and depth of new distributors (sponsors first)"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        known = {}
        for distributor in sorted(distributors, key=lambda d: d.id):
            sponsor_id = distributor.sponsor.id if distributor.sponsor else None
            if sponsor_id is None:
                prefix, depth = '', 0
            elif sponsor_id in known:
                prefix, depth = known[sponsor_id]
            else:
                cursor.execute(*table.select(
                        table.path, table.depth,
                        where=table.id == sponsor_id))
                prefix, depth = cursor.fetchone()
                depth += 1
            path = '%s%s/' % (prefix, distributor.id)
            known[distributor.id] = (path, depth + 1)
            cursor.execute(*table.update(
                    [table.path, table.depth], [path, depth],
                    where=table.id == distributor.id))
        clear_cache(cls)

    @classmethod
    def _move_paths(cls, moved):
        """Rewrite the paths and depths of the moved subtrees.

        moved is a list of (id, old path, old depth); one UPDATE per
        subtree, selecting it with the index-friendly prefix condition."""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        for distributor_id, old_path, old_depth in moved:
            clear_cache(cls)
            distributor = cls(distributor_id)
            sponsor = distributor.sponsor
            path = '%s%s/' % (sponsor.path if sponsor else '', distributor_id)
            depth = sponsor.depth + 1 if sponsor else 0
            cursor.execute(*table.update(
                    [table.path, table.depth],
                    [Concat(path, Substring(table.path, len(old_path) + 1)),
                        table.depth + (depth - old_depth)],
                    where=path_prefix_where(
                        table.path, old_path, table.depth)))
        clear_cache(cls)

    # Genealogy API ---------------------------------------------------------

    @property
    def upline(self):
        "The current upline, nearest sponsor first"
        return browse(self.__class__, self.upline_ids)

    @property
    def upline_ids(self):
        "The ids of the current upline, nearest sponsor first"
        return list(reversed(tree.path_ids(self.path or '')[:-1]))

    def upline_values(self, names=('number',)):
        """Return [(id, *values of names)] of the current upline, nearest
        first.

        One query whatever the depth and no records: PostgreSQL splits the
        path itself; a 10,000-level upline takes milliseconds where
        browsing its records takes about a second."""
        if backend.name != 'postgresql':
            ids = self.upline_ids
            rows = fetch_rows(self.__class__, ids, names)
            return [(i,) + rows[i] for i in ids]
        cursor = Transaction().connection.cursor()
        columns = ', '.join('u."%s"' % n for n in ['id'] + list(names))
        cursor.execute('SELECT json_agg(json_build_array(%s) '
            'ORDER BY p.level DESC)::text '
            'FROM "%s" AS d CROSS JOIN unnest(string_to_array('
            'rtrim(d.path, \'/\'), \'/\')::integer[]) '
            'WITH ORDINALITY AS p(id, level) '
            'JOIN "%s" AS u ON u.id = p.id '
            'WHERE d.id = %%s AND p.id != d.id'
            % (columns, self._table, self._table), (self.id,))
        text, = cursor.fetchone()
        return [tuple(r) for r in _json_rows(self.__class__, names, text)]

    @classmethod
    def downline_sql(cls, distributor_ids, include_self=False):
        """Return a SQL query of the ids in the downline of the distributors.

        This is the SQL counterpart of downline_domain for raw queries."""
        table = cls.__table__()
        return table.select(table.id, where=cls._downline_where(
                table, list(distributor_ids), include_self=include_self))

    @classmethod
    def downline_domain(cls, distributor, include_self=False):
        """Return the domain of the distributors below distributor.

        The portal uses it so that a partner only ever sees the own
        downline."""
        domain = [('downline_of', '=', distributor.id)]
        if include_self:
            domain = ['OR', domain, ('id', '=', distributor.id)]
        return domain

    @classmethod
    def _path_of(cls, distributor_id):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(
                table.path, where=table.id == distributor_id))
        path, = cursor.fetchone()
        return tree.path_ids(path)

    def _moved_of(self, ids, date):
        Event = Pool().get('mlm.genealogy.event')
        return Event.parents_at('sponsor', ids, date)

    def sponsor_at(self, date):
        "Return the sponsor on date (None for a root or before joining)"
        moved = self._moved_of([self.id], date)
        if self.id in moved:
            sponsor_id = moved[self.id]
            return self.__class__(sponsor_id) if sponsor_id else None
        return self.sponsor

    def upline_at(self, date):
        "Return the upline on date, nearest sponsor first"
        return browse(self.__class__, self.upline_ids_at(date))

    def upline_ids_at(self, date):
        "Return the ids of the upline on date, nearest sponsor first"
        Event = Pool().get('mlm.genealogy.event')
        moved = Event.moved_after('sponsor', date, self.company.id)
        if moved is None:
            moved_of = self._moved_of
        else:
            def moved_of(ids, date):
                return {i: moved[i] for i in ids if i in moved}
        return tree.upline_at(self.id, date, self._path_of, moved_of)

    def downline_at(self, date):
        "Return the downline on date ordered by id"
        Event = Pool().get('mlm.genealogy.event')
        cursor = Transaction().connection.cursor()
        table = self.__table__()

        def descendants_of(distributor_id):
            cursor.execute(*table.select(
                    table.path, where=table.id == distributor_id))
            path, = cursor.fetchone()
            cursor.execute(*table.select(
                    table.id, table.path,
                    where=path_prefix_where(table.path, path, table.depth)
                    & (table.id != distributor_id)))
            return [(i, tree.path_ids(p)[:-1]) for i, p in cursor]

        def moved_after(date):
            return Event.parents_at(
                'sponsor', None, date, company=self.company.id)
        ids = tree.downline_at(self.id, date, descendants_of, moved_after)
        return browse(self.__class__, sorted(ids))

    @classmethod
    def get_sponsor_at(cls, distributors, date):
        "Return the sponsor id on date of each distributor (RPC)"
        return [s.id if (s := d.sponsor_at(date)) else None
            for d in distributors]

    @classmethod
    def get_upline_at(cls, distributors, date):
        "Return the upline ids on date of each distributor (RPC)"
        return [[u.id for u in d.upline_at(date)] for d in distributors]

    @classmethod
    def get_downline_at(cls, distributors, date):
        "Return the downline ids on date of each distributor (RPC)"
        return [[m.id for m in d.downline_at(date)] for d in distributors]

    # Moves -----------------------------------------------------------------

    @classmethod
    def check_four_eyes(cls, requester, approver):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        if not requester or not approver or requester == approver:
            raise MoveError(gettext(
                    'mlm_network.msg_move_four_eyes'))
        group_id = ModelData.get_id('mlm_network', 'group_mlm_genealogy')
        if group_id not in {g.id for g in approver.groups}:
            raise MoveError(gettext(
                    'mlm_network.msg_move_approver_group',
                    user=approver.rec_name))

    def check_move(self, sponsor, date):
        "Raise MoveError when moving under sponsor on date is not allowed"
        pool = Pool()
        Configuration = pool.get('mlm.network.configuration')
        Event = pool.get('mlm.genealogy.event')
        Date = pool.get('ir.date')
        config = Configuration(1)
        name = self.rec_name
        if self.status == 'terminated':
            raise MoveError(gettext(
                    'mlm_network.msg_move_terminated', distributor=name))
        if sponsor == self.sponsor:
            raise MoveError(gettext(
                    'mlm_network.msg_move_same_sponsor', distributor=name))
        if date > Date.today():
            raise MoveError(gettext(
                    'mlm_network.msg_move_future', distributor=name,
                    date=date))
        if date < self.join_date:
            raise MoveError(gettext(
                    'mlm_network.msg_move_before_join', distributor=name,
                    date=date, join_date=self.join_date))
        if config.closed_until and date <= config.closed_until:
            raise MoveError(gettext(
                    'mlm_network.msg_move_closed_period', distributor=name,
                    date=date, closed_until=config.closed_until))
        if (config.move_window_days is not None
                and (date - self.join_date).days > config.move_window_days):
            raise MoveError(gettext(
                    'mlm_network.msg_move_window', distributor=name,
                    days=config.move_window_days))
        last = Event.last_date('sponsor', self.id)
        if last and date < last:
            raise MoveError(gettext(
                    'mlm_network.msg_move_before_last', distributor=name,
                    date=date, last=last))
        if sponsor:
            if sponsor == self:
                raise MoveError(gettext(
                        'mlm_network.msg_move_cycle', distributor=name,
                        sponsor=sponsor.rec_name))
            if sponsor.company != self.company:
                raise MoveError(gettext(
                        'mlm_network.msg_sponsor_company', distributor=name,
                        sponsor=sponsor.rec_name))
            if sponsor.status == 'terminated':
                raise MoveError(gettext(
                        'mlm_network.msg_sponsor_terminated',
                        sponsor=sponsor.rec_name))
            if sponsor.join_date > date:
                raise MoveError(gettext(
                        'mlm_network.msg_sponsor_joined_later',
                        distributor=name, sponsor=sponsor.rec_name,
                        date=sponsor.join_date))
            # the sponsor must not be in the downline on any date from the
            # effective date on, including today's structure
            for day in [date] + Event.dates_after('sponsor', date):
                if self in sponsor.upline_at(day):
                    raise MoveError(gettext(
                            'mlm_network.msg_move_cycle', distributor=name,
                            sponsor=sponsor.rec_name))
            if sponsor.path.startswith(self.path):
                raise MoveError(gettext(
                        'mlm_network.msg_move_cycle', distributor=name,
                        sponsor=sponsor.rec_name))

    @classmethod
    def move_sponsor(cls, distributor, sponsor, date, reason,
            requester, approver, cause=None, check=True):
        """Move distributor under sponsor from date on.

        Checks the move policy and the four-eyes rule, records a sponsor
        event and updates the current tree.  Returns the event."""
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        lock_rows(cls, [distributor.id])
        if check:
            cls.check_four_eyes(requester, approver)
            distributor.check_move(sponsor, date)
        event = Event(
            company=distributor.company, kind='sponsor',
            distributor=distributor, valid_from=date,
            old_sponsor=distributor.sponsor, new_sponsor=sponsor,
            reason=reason, requester=requester, approver=approver,
            cause=cause)
        with without_check_access():
            event.save()
            with Transaction().set_context(_mlm_move=True):
                cls.write([distributor], {
                        'sponsor': sponsor.id if sponsor else None,
                        })
        return event

    @classmethod
    @ModelView.button_action('mlm_network.wizard_move')
    def move(cls, distributors):
        pass

    # Status ----------------------------------------------------------------

    def next_active_upline(self):
        "Return the nearest active sponsor above (None if there is none)"
        for sponsor in self.upline:
            if sponsor.status == 'active':
                return sponsor

    @classmethod
    def set_status(cls, distributors, status, date, reason=None,
            requester=None, approver=None):
        """Change the status of distributors from date on.

        Termination rolls the direct downline up to the next active upline
        as sponsor events; the history keeps the former structure."""
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        Date = pool.get('ir.date')
        lock_rows(cls, [d.id for d in distributors])
        user = Transaction().user or None
        requester = requester or (pool.get('res.user')(user) if user else None)
        approver = approver or requester
        events = []
        for distributor in distributors:
            if status not in TRANSITIONS[distributor.status]:
                raise StatusError(gettext(
                        'mlm_network.msg_status_transition',
                        distributor=distributor.rec_name,
                        old=distributor.status_string,
                        new=dict(STATUSES)[status]))
            if date < distributor.join_date or (
                    distributor.status_date and date < distributor.status_date):
                raise StatusError(gettext(
                        'mlm_network.msg_status_date',
                        distributor=distributor.rec_name, date=date))
            if date > Date.today():
                raise StatusError(gettext(
                        'mlm_network.msg_status_future',
                        distributor=distributor.rec_name, date=date))
            if status == 'terminated':
                last = Event.last_sponsor_change(distributor.company)
                if last and date < last:
                    raise StatusError(gettext(
                            'mlm_network.msg_status_termination_before_change',
                            distributor=distributor.rec_name, date=date,
                            last=last))
            event = Event(
                company=distributor.company, kind='status',
                distributor=distributor, valid_from=date,
                old_status=distributor.status, new_status=status,
                reason=reason, requester=requester, approver=approver)
            with without_check_access():
                event.save()
            values = {
                'status': status,
                'status_date': date,
                'status_reason': reason,
                }
            if status == 'terminated':
                values['termination_date'] = date
            with without_check_access():
                cls.write([distributor], values)
            events.append(event)
            if status == 'terminated':
                target = distributor.next_active_upline()
                for child in distributor.children:
                    if child.status == 'terminated':
                        continue
                    events.append(cls.move_sponsor(
                            child, target, max(date, child.join_date),
                            gettext('mlm_network.msg_rollup_reason',
                                distributor=distributor.rec_name),
                            requester, approver, cause=event, check=False))
        return events

    @classmethod
    @ModelView.button_action('mlm_network.wizard_status')
    def change_status(cls, distributors):
        pass
