# This file is part of the MLM suite. See LICENSE for details.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool

from mlm_network.partition import PeriodPartitioned
from mlm_network.references import UncheckedReferences

from .exceptions import LineImmutableError

COMPONENTS = [
    ('stairstep', "Stair-step"),
    ('breakaway', "Breakaway"),
    ('unilevel', "Unilevel"),
    ('binary', "Binary"),
    ('matrix', "Matrix"),
    ('fast_start', "Fast Start"),
    ('matching', "Matching"),
    ('pool', "Pool"),
    ('rank_advancement', "Rank Advancement"),
    ]
BASES = [
    ('pv', "PV"),
    ('cv', "CV"),
    ('cycles', "Cycles"),
    ('volume', "Volume"),
    ('earnings', "Earnings"),
    ('company_volume', "Company Volume"),
    ('bonus', "Bonus"),
    ]


class Line(UncheckedReferences, PeriodPartitioned, ModelSQL, ModelView):
    """Commission Line

    Written only by runs (COPY, multi-row INSERT on SQLite); never edited
    through the ORM.  No foreign key constraints (ADR 0049); on PostgreSQL
    one partition per period (ADR 0051)."""
    __string__ = "Commission Line"
    __name__ = 'mlm.commission.line'
    _unchecked_references = ('company', 'period', 'run', 'beneficiary',
        'source_distributor', 'source_volume', 'origin_period', 'reverses',
        'reverses_period')

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True, readonly=True,
        ondelete='CASCADE')
    run = fields.Many2One(
        'mlm.commission.run', "Run", readonly=True, ondelete='SET NULL')
    beneficiary = fields.Many2One(
        'mlm.distributor', "Beneficiary", required=True, readonly=True,
        ondelete='RESTRICT')
    component = fields.Selection(
        COMPONENTS, "Component", required=True, readonly=True)
    kind = fields.Selection([
            ('commission', "Commission"),
            ('clawback', "Clawback"),
            ], "Kind", required=True, readonly=True)
    late = fields.Boolean(
        "Late", readonly=True,
        help="Commissioned after its order period (nachschüssig).")
    source_distributor = fields.Many2One(
        'mlm.distributor', "Source Partner", readonly=True,
        ondelete='RESTRICT')
    source_volume = fields.Many2One(
        'mlm.commission.volume', "Source Order", readonly=True,
        ondelete='RESTRICT')
    order_reference = fields.Char("Order Reference", readonly=True)
    order_date = fields.Date("Order Date", readonly=True)
    origin_period = fields.Many2One(
        'mlm.commission.period', "Order Period", readonly=True,
        ondelete='RESTRICT')
    reverses = fields.Many2One(
        'mlm.commission.line', "Reverses", readonly=True,
        ondelete='RESTRICT')
    reverses_period = fields.Many2One(
        'mlm.commission.period', "Reverses Period", readonly=True,
        ondelete='RESTRICT')
    level = fields.Integer("Level", readonly=True)
    paid_level = fields.Integer("Paid Level", readonly=True)
    basis = fields.Selection(BASES, "Basis", required=True, readonly=True)
    base = fields.Numeric("Base", digits=(16, 2), readonly=True)
    order_volume = fields.Numeric(
        "Order Volume", digits=(16, 2), readonly=True,
        help="The volume of the order the line was commissioned on.")
    rate = fields.Numeric("Rate", digits=(16, 6), readonly=True)
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, readonly=True)
    amount_before_cap = fields.Numeric(
        "Amount before Cap", digits=(16, 2), readonly=True)
    rank = fields.Char("Rank", readonly=True)
    plan_version = fields.Char("Plan Version", readonly=True)
    path = fields.Char(
        "Path", readonly=True,
        help="The distributor ids from the source up to the beneficiary.")
    explanation = fields.Function(
        fields.Text("Explanation"), 'get_explanation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.period, Index.Equality()),
                    (t.beneficiary, Index.Equality())),
                Index(t, (t.source_volume, Index.Equality())),
                })
        cls._order = [('period', 'DESC'), ('beneficiary', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def __setup_indexes__(cls):
        super().__setup_indexes__()
        # one index less to maintain per line for each: (period,
        # beneficiary) serves the searches by period, and lines are never
        # searched by their order period
        cls._sql_indexes = {i for i in cls._sql_indexes
            if [getattr(e, 'name', None) for e, _ in i.expressions]
            not in (['period'], ['origin_period'])}

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.beneficiary.rec_name, self.component, self.amount)

    def get_explanation(self, name):
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        path = ''
        if self.path:
            ids = [int(i) for i in self.path.split('/') if i]
            names = {d.id: d.rec_name for d in Distributor.browse(ids)}
            path = ' -> '.join(names.get(i, str(i)) for i in ids)
        return gettext(
            'mlm_commission.msg_line_explanation',
            component=self.component, amount=self.amount,
            base=self.base, basis=self.basis, rate=self.rate,
            order=self.order_reference or '-',
            source=self.source_distributor.rec_name
            if self.source_distributor else '-',
            level=self.level, paid_level=self.paid_level,
            rank=self.rank or '-', version=self.plan_version or '-',
            path=path or '-')

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode != 'create' or any(
                l.period.state not in {'open', 'calculated'} for l in lines):
            raise LineImmutableError(gettext(
                    'mlm_commission.msg_line_immutable'))
