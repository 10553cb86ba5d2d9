# This file is part of the MLM suite. See LICENSE for details.
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import GenealogyAccessError, RankRecordError
from .partition import PeriodPartitioned
from .references import UncheckedReferences, referenced_ids


class Rank(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Rank"
    __name__ = 'mlm.rank'

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    level = fields.Integer(
        "Level", required=True,
        help="The position on the ladder: a higher level is a higher rank.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.code, t.company),
                'mlm_network.msg_rank_code_unique'),
            ('level_company_unique', Unique(t, t.level, t.company),
                'mlm_network.msg_rank_level_unique'),
            ]
        cls._order.insert(0, ('level', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def check_modification(cls, mode, ranks, values=None, external=False):
        super().check_modification(
            mode, ranks, values=values, external=external)
        if mode == 'delete' and ranks:
            # rank records reference ranks without a foreign key (ADR 0049)
            used = referenced_ids([r.id for r in ranks],
                Pool().get('mlm.rank.record'), ['computed_rank',
                    'override_rank', 'paid_as_rank', 'highest_rank'])
            if used:
                raise GenealogyAccessError(gettext(
                        'mlm_network.msg_rank_delete',
                        rank=cls(used[0]).rec_name))


class RankRecord(UncheckedReferences, PeriodPartitioned, ModelSQL,
        ModelView):
    """Rank Record

    The rank of a distributor in a period as computed by the commission
    engine; a manual override wins over the computation.  Commission runs
    write them in bulk: no foreign keys on the columns a run fills
    (ADR 0049), on PostgreSQL one partition per period start (ADR 0051)."""
    __string__ = "Rank Record"
    __name__ = 'mlm.rank.record'
    _partition_key = 'period_start'
    _unchecked_references = ('company', 'distributor', 'computed_rank',
        'override_rank', 'override_user', 'paid_as_rank', 'highest_rank')

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    period_start = fields.Date(
        "Period Start", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    period_end = fields.Date(
        "Period End", required=True,
        domain=[('period_end', '>=', Eval('period_start', None))],
        states={'readonly': Eval('id', -1) >= 0})
    computed_rank = fields.Many2One(
        'mlm.rank', "Computed Rank", readonly=True, ondelete='RESTRICT',
        help="The rank qualified by the figures of the period.")
    override_rank = fields.Many2One(
        'mlm.rank', "Override Rank", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="A rank set by hand that wins over the computed rank.")
    override_reason = fields.Text(
        "Override Reason",
        states={'required': Bool(Eval('override_rank'))})
    override_user = fields.Many2One(
        'res.user', "Overridden by", readonly=True)
    paid_as_rank = fields.Many2One(
        'mlm.rank', "Paid-as Rank", readonly=True, ondelete='RESTRICT',
        help="The rank the commissions of the period are paid at.")
    highest_rank = fields.Many2One(
        'mlm.rank', "Highest Rank", readonly=True, ondelete='RESTRICT',
        help="The highest rank achieved up to the period.")
    pv = fields.Numeric(
        "PV", digits=(16, 2), readonly=True,
        help="The personal volume of the period.")
    gv = fields.Numeric(
        "GV", digits=(16, 2), readonly=True,
        help="The group volume of the period.")
    qualifying_gv = fields.Numeric(
        "Qualifying GV", digits=(16, 2), readonly=True,
        help="The group volume counted for the rank worked towards "
        "(the next one, or the top rank), after the leg caps.")
    qualified_legs = fields.Integer(
        "Qualified Legs", readonly=True,
        help="The frontline legs qualified for the rank worked towards.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('distributor_period_unique',
                Unique(t, t.distributor, t.period_start),
                'mlm_network.msg_rank_record_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.period_start, Index.Range()),
                (t.paid_as_rank, Index.Equality())))
        cls._order = [('period_start', 'DESC'), ('id', 'DESC')]

    @classmethod
    def __setup_indexes__(cls):
        super().__setup_indexes__()
        # the unique (distributor, period_start) index serves the searches
        # by distributor: one index less to maintain per record
        cls._sql_indexes = {i for i in cls._sql_indexes
            if [getattr(e, 'name', None) for e, _ in i.expressions]
            != ['distributor']}

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s %s' % (self.distributor.rec_name, self.period_start)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('distributor.rec_name',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'override_rank' in values:
            values['override_user'] = (
                Transaction().user if values['override_rank'] else None)
        return values

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        cls._set_paid_as(records)
        return records

    @classmethod
    def write(cls, *args):
        super().write(*args)
        records = sum(args[::2], [])
        cls._set_paid_as(records)

    @classmethod
    def _set_paid_as(cls, records):
        "Store the paid-as rank (override first) and the highest rank"
        to_write = defaultdict(list)
        for record in cls.browse(records):
            paid_as = record.override_rank or record.computed_rank
            highest = record.highest_rank
            if paid_as and (not highest or paid_as.level > highest.level):
                highest = paid_as
            if (record.paid_as_rank != paid_as
                    or record.highest_rank != highest):
                to_write[(paid_as.id if paid_as else None,
                        highest.id if highest else None)].append(record)
        args = []
        for (paid_as, highest), group in to_write.items():
            args.extend([group, {
                        'paid_as_rank': paid_as,
                        'highest_rank': highest,
                        }])
        if args:
            super().write(*args)

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            if record.override_rank and not record.override_reason:
                raise RankRecordError(gettext(
                        'mlm_network.msg_rank_override_reason',
                        record=record.rec_name))
