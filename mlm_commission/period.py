# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import hashlib
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from mlm_network.partition import PeriodPartitioned
from mlm_network.references import UncheckedReferences

from .exceptions import (
    ApprovalError, LineImmutableError, PeriodClosedError, PeriodError)

STATES = [
    ('open', "Open"),
    ('calculated', "Calculated"),
    ('approved', "Approved"),
    ('closed', "Closed"),
    ]
GENESIS = '0' * 64


def add_months(date, months):
    "date moved by months, clamped to the last day of the month"
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    for day in range(date.day, 0, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue


class Period(Workflow, ModelSQL, ModelView):
    __string__ = "Commission Period"
    __name__ = 'mlm.commission.period'

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={'readonly': Eval('state') != 'open'})
    plan = fields.Many2One(
        'mlm.commission.plan', "Plan", required=True,
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'open'})
    name = fields.Char(
        "Name", required=True, states={'readonly': Eval('state') != 'open'})
    start_date = fields.Date(
        "Start Date", required=True,
        states={'readonly': Eval('state') != 'open'})
    end_date = fields.Date(
        "End Date", required=True,
        domain=[('end_date', '>=', Eval('start_date', None))],
        states={'readonly': Eval('state') != 'open'})
    cutoff_date = fields.Date(
        "Cut-off Date", required=True,
        states={'readonly': Eval('state') != 'open'},
        help="Payments up to this date still count for the period.")
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    runs = fields.One2Many(
        'mlm.commission.run', 'period', "Runs", readonly=True)
    lines = fields.One2Many(
        'mlm.commission.line', 'period', "Lines", readonly=True)
    input_hash = fields.Char("Input Hash", readonly=True)
    output_hash = fields.Char("Output Hash", readonly=True)
    calculated_by = fields.Many2One('res.user', "Calculated by", readonly=True)
    approved_by = fields.Many2One('res.user', "Approved by", readonly=True)
    closed_by = fields.Many2One('res.user', "Closed by", readonly=True)
    closing_hash = fields.Char(
        "Closing Hash", readonly=True,
        help="Hash over the lines of the period chained to the previous "
        "closing.")
    previous_closing_hash = fields.Char(
        "Previous Closing Hash", readonly=True)
    total = fields.Function(fields.Numeric(
            "Total", digits=(16, 2)), 'get_total')
    progress = fields.Function(fields.Float(
            "Progress", digits=(1, 2)), 'get_progress')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('start_unique', Unique(t, t.company, t.start_date),
                'mlm_commission.msg_period_start_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality()),
                (t.start_date, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'calculated'),
            ('calculated', 'calculated'),
            ('calculated', 'open'),
            ('calculated', 'approved'),
            ('approved', 'calculated'),
            ('approved', 'closed'),
            }
        cls._buttons.update({
                'calculate': {
                    'invisible': ~Eval('state').in_(['open', 'calculated']),
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'calculated',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'export': {
                    'invisible': Eval('state') == 'open',
                    'depends': ['state'],
                    },
                'settle': {
                    'invisible': ~Eval('state').in_(['approved', 'closed']),
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({})

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'open'

    @classmethod
    def get_total(cls, periods, name):
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {p.id: Decimal('0.00') for p in periods}
        cursor.execute(*line.select(
                line.period, Sum(line.amount),
                where=line.period.in_([p.id for p in periods]),
                group_by=[line.period]))
        for period_id, total in cursor:
            # SQLite sums numerics as floats
            result[period_id] = Decimal(str(total or 0)).quantize(
                Decimal('0.01'))
        return result

    def get_progress(self, name):
        runs = sorted(self.runs, key=lambda r: r.id)
        return runs[-1].progress if runs else 0.0

    @classmethod
    def create_for(cls, plan, date):
        "Create (or return) the period of plan's company containing date"
        pool = Pool()
        Configuration = pool.get('mlm.commission.configuration')
        periods = cls.search([
                ('company', '=', plan.company.id),
                ('start_date', '<=', date),
                ('end_date', '>=', date),
                ], limit=1)
        if periods:
            return periods[0]
        config = Configuration(1)
        months = 3 if config.period_length == 'quarter' else 1
        first_month = (date.month - 1) // months * months + 1
        start = dt.date(date.year, first_month, 1)
        end = add_months(start, months) - dt.timedelta(days=1)
        name = (start.strftime('%Y-%m') if months == 1
            else '%s-Q%s' % (start.year, (first_month - 1) // 3 + 1))
        period, = cls.create([{
                    'company': plan.company.id,
                    'plan': plan.id,
                    'name': name,
                    'start_date': start,
                    'end_date': end,
                    'cutoff_date': end + dt.timedelta(
                        days=config.late_payment_cutoff_days),
                    }])
        return period

    # Immutability ---------------------------------------------------------

    @classmethod
    def check_modification(cls, mode, periods, values=None, external=False):
        super().check_modification(
            mode, periods, values=values, external=external)
        if mode == 'delete':
            for period in periods:
                if period.state != 'open' or period.runs:
                    raise PeriodClosedError(gettext(
                            'mlm_commission.msg_period_delete',
                            period=period.rec_name))
        elif mode == 'write':
            for period in periods:
                if period.state == 'closed':
                    raise PeriodClosedError(gettext(
                            'mlm_commission.msg_period_closed',
                            period=period.rec_name))

    # Workflow -------------------------------------------------------------

    def previous(self):
        periods = self.search([
                ('company', '=', self.company.id),
                ('start_date', '<', self.start_date),
                ], order=[('start_date', 'DESC')], limit=1)
        return periods[0] if periods else None

    def following(self):
        periods = self.search([
                ('company', '=', self.company.id),
                ('start_date', '>', self.start_date),
                ], order=[('start_date', 'ASC')], limit=1)
        return periods[0] if periods else None

    def check_calculable(self):
        previous = self.previous()
        if previous and previous.state == 'open':
            raise PeriodError(gettext(
                    'mlm_commission.msg_period_previous_open',
                    period=self.rec_name, previous=previous.rec_name))
        following = self.following()
        if following and following.state != 'open':
            raise PeriodError(gettext(
                    'mlm_commission.msg_period_following_calculated',
                    period=self.rec_name, following=following.rec_name))

    @classmethod
    @ModelView.button
    def calculate(cls, periods):
        "Queue a run per period (the task replaces the period's lines)"
        pool = Pool()
        Run = pool.get('mlm.commission.run')
        runs = []
        for period in periods:
            if period.state not in {'open', 'calculated'}:
                raise PeriodError(gettext(
                        'mlm_commission.msg_period_not_open',
                        period=period.rec_name))
            period.check_calculable()
            runs.append(Run(period=period, company=period.company))
        Run.save(runs)
        for run in runs:
            Run.__queue__.process([run])
        return runs

    @classmethod
    @Workflow.transition('calculated')
    def _set_calculated(cls, periods, run):
        cls.write(periods, {
                'input_hash': run.input_hash,
                'output_hash': run.output_hash,
                'calculated_by': run.create_uid.id
                if run.create_uid else Transaction().user,
                'approved_by': None,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, periods):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user_id = Transaction().user
        group = ModelData.get_id(
            'mlm_network', 'group_mlm_commission_approver')
        user = User(user_id)
        if user_id != 0 and group not in {g.id for g in user.groups}:
            raise ApprovalError(gettext(
                    'mlm_commission.msg_period_approver_group'))
        for period in periods:
            if period.calculated_by and period.calculated_by.id == user_id:
                raise ApprovalError(gettext(
                        'mlm_commission.msg_period_four_eyes',
                        period=period.rec_name))
        cls.write(periods, {'approved_by': user_id})

    @classmethod
    @ModelView.button
    @Workflow.transition('calculated')
    def reject(cls, periods):
        cls.write(periods, {'approved_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, periods):
        "Close in date order, chaining each closing hash to the previous one"
        done = set()
        for period in sorted(periods, key=lambda p: p.start_date):
            previous = period.previous()
            if (previous and previous.state != 'closed'
                    and previous.id not in done):
                raise PeriodError(gettext(
                        'mlm_commission.msg_period_close_order',
                        period=period.rec_name, previous=previous.rec_name))
            previous_hash = (previous.closing_hash if previous
                else None) or GENESIS
            cls.write([period], {
                    'closed_by': Transaction().user,
                    'previous_closing_hash': previous_hash,
                    'closing_hash': period.chain_hash(previous_hash),
                    })
            done.add(period.id)

    @classmethod
    @ModelView.button
    def settle(cls, periods):
        "Compute the settlements (Gutschriften) of approved periods"
        Settlement = Pool().get('mlm.commission.settlement')
        for period in sorted(periods, key=lambda p: p.start_date):
            Settlement.compute(period)

    @classmethod
    @ModelView.button
    def export(cls, periods):
        "Attach the Excel export of the lines and figures to the periods"
        from .statement import attach, period_workbook
        for period in periods:
            attach('Provisionslauf %s.xlsx' % period.name,
                period_workbook(period), period)

    def what_if(self, version):
        """Run the draft plan version on the period's inputs without
        writing; return ({distributor id: (stored, simulated, difference)},
        (stored total, simulated total, difference)) in Decimal."""
        from .run import Pipeline, lines_totals
        plan_set = self.plan.plan_set(extra=version)
        simulated = Pipeline(self, plan_set=plan_set).simulate()
        stored = lines_totals(self.id)
        cent = Decimal('0.01')
        result = {}
        for distributor in sorted(set(stored) | set(simulated)):
            before = stored.get(distributor, 0)
            after = simulated.get(distributor, 0)
            result[distributor] = tuple(Decimal(v) * cent
                for v in (before, after, after - before))
        before, after = sum(stored.values()), sum(simulated.values())
        total = tuple(Decimal(v) * cent
            for v in (before, after, after - before))
        return result, total

    def lines_digest(self):
        "sha256 over the period's lines (content, not ids)"
        from .run import lines_digest
        return lines_digest(self.id)

    def chain_hash(self, previous_hash):
        return hashlib.sha256(
            ('%s\n%s\n%s\n' % (
                    previous_hash, self.name, self.lines_digest())
                ).encode()).hexdigest()

    @classmethod
    def verify_chain(cls, company=None):
        """Recompute the closing chain; return the first period that no
        longer matches, or None."""
        domain = [('state', '=', 'closed')]
        if company is not None:
            domain.append(('company', '=', company))
        periods = cls.search(domain, order=[
                ('company', 'ASC'), ('start_date', 'ASC')])
        previous = {}
        for period in periods:
            expected_previous = previous.get(period.company.id, GENESIS)
            if (period.previous_closing_hash != expected_previous
                    or period.chain_hash(expected_previous)
                    != period.closing_hash):
                return period
            previous[period.company.id] = period.closing_hash
        return None


class RunOutputMixin:
    "Rows written by runs only: no change through the ORM once written"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode != 'create' or any(
                r.period.state not in {'open', 'calculated'}
                for r in records):
            raise LineImmutableError(gettext(
                    'mlm_commission.msg_line_immutable'))


class PeriodEntry(
        UncheckedReferences, RunOutputMixin, ModelSQL, ModelView):
    """Period Input

    The volume entries a period's run consumed, frozen with the role they
    played; an entry is consumed by exactly one period."""
    __string__ = "Commission Period Input"
    __name__ = 'mlm.commission.period.entry'
    _unchecked_references = ('period', 'run', 'volume', 'origin_period')

    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True, readonly=True,
        ondelete='CASCADE')
    run = fields.Many2One(
        'mlm.commission.run', "Run", readonly=True, ondelete='SET NULL')
    volume = fields.Many2One(
        'mlm.commission.volume', "Volume Entry", required=True,
        readonly=True, ondelete='RESTRICT')
    role = fields.Selection([
            ('order', "Order"),
            ('late', "Late Order"),
            ('return', "Return (netted)"),
            ('clawback', "Return (clawed back)"),
            ('expired', "Return (outside the liability window)"),
            ], "Role", required=True, readonly=True)
    origin_period = fields.Many2One(
        'mlm.commission.period', "Order Period", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('volume_unique', Unique(t, t.volume),
                'mlm_commission.msg_period_entry_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.period, Index.Equality())))


class Figure(UncheckedReferences, RunOutputMixin, PeriodPartitioned,
        ModelSQL, ModelView):
    """Partner Figures

    Volumes, ranks and binary carry of a distributor in a period as computed
    by the run; on PostgreSQL one partition per period (ADR 0051)."""
    __string__ = "Commission Partner Figures"
    __name__ = 'mlm.commission.figure'
    _unchecked_references = ('period', 'distributor')

    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True, readonly=True,
        ondelete='CASCADE')
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, readonly=True,
        ondelete='CASCADE')
    active = fields.Boolean("Active", readonly=True)
    pv = fields.Numeric("PV", digits=(16, 2), readonly=True)
    cv = fields.Numeric("CV", digits=(16, 2), readonly=True)
    gv = fields.Numeric("GV", digits=(16, 2), readonly=True)
    qualified_rank = fields.Char("Qualified Rank", readonly=True)
    paid_as_rank = fields.Char("Paid-as Rank", readonly=True)
    highest_rank = fields.Char("Highest Rank", readonly=True)
    carry_left = fields.Numeric("Carry Left", digits=(16, 2), readonly=True)
    carry_right = fields.Numeric(
        "Carry Right", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.period, Index.Equality()),
                (t.distributor, Index.Equality())))
