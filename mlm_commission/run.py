# This file is part of the MLM suite. See LICENSE for details.
"""Commission runs: set-based input loading, engine call, bulk line writes.

The pipeline of :meth:`Run.execute` (all inside one savepoint, so a failed
run leaves nothing behind and a re-run replaces the period atomically):

1. *inputs*: one SQL query each for the distributors (genealogy and status
   on the period end, from the current tree corrected by the later genealogy
   events), the rank overrides and previous highest ranks, the order and
   return entries not consumed by another period, and the stored lines of
   the orders to claw back;
2. *engine*: ``run_period`` for the period (orders, late orders for volume
   only, clawbacks through the engine ledger) and one ``run_period`` per
   earlier period with late orders, on that period's genealogy and paid-as
   ranks (historization);
3. *write*: replace the period's lines, inputs, figures and rank records,
   written with COPY (PostgreSQL: lines, figures and rank records into fresh
   partitions that replace the period's, ADR 0051) or multi-row INSERT;
4. *hashes*: sha256 of the engine inputs and of the written lines.
"""
import datetime as dt
import hashlib
import json
import time
from bisect import bisect_right
from collections import namedtuple
from contextlib import contextmanager, nullcontext
from decimal import Decimal

from sql import Literal, Null, Table
from sql.aggregate import Sum
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from mlm_network import partition

from .engine.dates import format_day
from .exceptions import LineImmutableError, PeriodError, PlanError
from .run_text import (
    JOIN_ROWS, cents, day_number, object_array, read_columns)

PATH_LIMIT = 200000
# rows per COPY text built at once (ADR 0050); their texts are joined in
# pieces of run_text.JOIN_ROWS
SLICE = 100000
CHUNK = 1000
PROGRESS_TABLE = 'mlm_commission_run_progress'


def days(dates):
    "int32 array of the day numbers of dates"
    import numpy as np
    return np.array(dates, 'datetime64[D]').astype(np.int32)


def money(value):
    return Decimal(int(value)).scaleb(-2)


def slices(n):
    "The slices of SLICE rows that cover n rows"
    return [slice(i, i + SLICE) for i in range(0, n, SLICE)]


class Run(ModelSQL, ModelView):
    __string__ = "Commission Run"
    __name__ = 'mlm.commission.run'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    period = fields.Many2One(
        'mlm.commission.period', "Period", required=True, readonly=True,
        ondelete='CASCADE')
    state = fields.Selection([
            ('queued', "Queued"),
            ('running', "Running"),
            ('done', "Done"),
            ], "State", required=True, readonly=True)
    stage = fields.Function(fields.Char("Stage"), 'get_progress')
    progress = fields.Function(
        fields.Float("Progress", digits=(1, 2)), 'get_progress')
    started = fields.DateTime("Started", readonly=True)
    finished = fields.DateTime("Finished", readonly=True)
    input_hash = fields.Char("Input Hash", readonly=True)
    output_hash = fields.Char("Output Hash", readonly=True)
    line_count = fields.Integer("Lines", readonly=True)
    total = fields.Numeric("Total", digits=(16, 2), readonly=True)
    timings = fields.Text("Timings", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]

    @staticmethod
    def default_state():
        return 'queued'

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        # a run is the audit trail of its lines (which have no foreign
        # key to it, ADR 0049)
        if mode == 'delete' and runs:
            raise LineImmutableError(gettext(
                    'mlm_commission.msg_run_delete',
                    run=runs[0].rec_name))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # the live progress of runs is written in short transactions of
        # its own: an update of the run's row would make the run's final
        # write fail (repeatable read, see _progress)
        Transaction().connection.cursor().execute(
            'CREATE TABLE IF NOT EXISTS "%s" (run INTEGER PRIMARY KEY, '
            'stage VARCHAR, progress DOUBLE PRECISION)' % PROGRESS_TABLE)

    @classmethod
    def get_progress(cls, runs, names):
        table = Table(PROGRESS_TABLE)
        cursor = Transaction().connection.cursor()
        live = {}
        pending = [r.id for r in runs if r.state != 'done']
        for sub_ids in grouped_slice(pending):
            cursor.execute(*table.select(table.run, table.stage,
                    table.progress, where=table.run.in_(list(sub_ids))))
            live.update((r, (s, p)) for r, s, p in cursor)
        result = {name: {} for name in names}
        for run in runs:
            stage, progress = ('done', 1.0) if run.state == 'done' else (
                live.get(run.id, (run.state, 0.0)))
            if 'stage' in result:
                result['stage'][run.id] = stage
            if 'progress' in result:
                result['progress'][run.id] = progress
        return result

    @classmethod
    def process(cls, runs):
        "Queue task: execute the runs"
        for run in runs:
            run.execute()

    def _progress(self, stage, fraction):
        """Publish the progress in its own transaction (PostgreSQL only).

        Not on the run's row: the run's transaction (repeatable read) could
        no longer update a row changed by a transaction committed after
        its start."""
        if backend.name != 'postgresql' or self.id is None or self.id < 0:
            return
        try:
            with Transaction().new_transaction() as transaction:
                transaction.connection.cursor().execute(
                    'INSERT INTO "%s" (run, stage, progress) '
                    'VALUES (%%s, %%s, %%s) ON CONFLICT (run) DO UPDATE '
                    'SET stage = EXCLUDED.stage, '
                    'progress = EXCLUDED.progress' % PROGRESS_TABLE,
                    (self.id, stage, fraction))
                transaction.commit()
        except Exception:
            pass

    def execute(self, fail_after=None):
        """Compute the period and replace its lines; return the timings.

        fail_after (tests) raises after that many line rows were written."""
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        period = Period(self.period.id)
        Period.lock([period])
        if period.state not in {'open', 'calculated'}:
            raise PeriodError(gettext(
                    'mlm_commission.msg_period_not_open',
                    period=period.rec_name))
        period.check_calculable()
        started = dt.datetime.now()
        # PostgreSQL: a savepoint makes the replacement atomic inside the
        # caller's transaction; SQLite (whose RELEASE of an outer savepoint
        # commits) relies on the transaction being rolled back on error
        savepoint = backend.name == 'postgresql'
        if savepoint:
            cursor.execute('SAVEPOINT mlm_commission_run')
        try:
            pipeline = Pipeline(period, self)
            pipeline.run(fail_after=fail_after)
        except BaseException:
            if savepoint:
                cursor.execute('ROLLBACK TO SAVEPOINT mlm_commission_run')
            raise
        if savepoint:
            cursor.execute('RELEASE SAVEPOINT mlm_commission_run')
        self.__class__.write([self], {
                'state': 'done',
                'started': started,
                'finished': dt.datetime.now(),
                'input_hash': pipeline.input_hash,
                'output_hash': pipeline.output_hash,
                'line_count': pipeline.line_count,
                'total': money(pipeline.total),
                'timings': json.dumps(
                    {k: round(v, 3) for k, v in pipeline.timings.items()}),
                })
        Period._set_calculated([period], self)
        return pipeline.timings


class Stopwatch:
    def __init__(self):
        self.timings = {}
        self._last = time.perf_counter()

    def lap(self, name, at=None):
        "Add the time since the last lap (or until at) to name"
        now = time.perf_counter() if at is None else max(at, self._last)
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now


class OrderColumns(namedtuple('OrderColumns', ['id', 'distributor',
            'customer', 'order_day', 'paid_day', 'pv', 'cv', 'amount',
            'reference'])):
    """The order entries a run reads, per column in ascending id order
    (dates as day numbers, amounts in cents)"""
    __slots__ = ()
    KINDS = ['int', 'int', 'bool', 'day', 'day', 'cents', 'cents', 'cents',
        'text']

    def row(self, i):
        "(id, distributor, customer, order day, pv, cv, amount) of row i"
        return (int(self.id[i]), int(self.distributor[i]),
            bool(self.customer[i]), int(self.order_day[i]), int(self.pv[i]),
            int(self.cv[i]), int(self.amount[i]))


class Pipeline:
    "One run of one period (see the module docstring)"

    def __init__(self, period, run=None, plan_set=None):
        pool = Pool()
        Configuration = pool.get('mlm.commission.configuration')
        Period = pool.get('mlm.commission.period')
        Rank = pool.get('mlm.rank')
        self.period = period
        self.run_record = run
        self.company = period.company
        self.config = Configuration(1)
        self.plan = period.plan
        self.plan_set = plan_set or self.plan.plan_set()
        self.rank_names = list(self.plan_set.rank_names)
        ranks = Rank.search([('company', '=', self.company.id)])
        self.rank_by_code = {r.code: r for r in ranks}
        self.rank_id = [
            self.rank_by_code[n].id if n in self.rank_by_code else None
            for n in self.rank_names]
        self.rank_index_by_id = {
            r.id: self.rank_names.index(r.code)
            for r in ranks if r.code in self.rank_names}
        self.periods = Period.search(
            [('company', '=', self.company.id)],
            order=[('start_date', 'ASC')])
        self.period_starts = [p.start_date for p in self.periods]
        self.watch = Stopwatch()
        self.input_digest = hashlib.sha256()
        self.input_digest.update(json.dumps(
                self.plan.document(), sort_keys=True).encode())
        self.line_count = 0
        self.total = 0
        self.order_info = {}   # volume id: (reference, order day number)

    # helpers ----------------------------------------------------------------

    @property
    def timings(self):
        return self.watch.timings

    def progress(self, stage, fraction):
        if self.run_record is not None:
            self.run_record._progress(stage, fraction)

    def period_of(self, date):
        "The period containing date (None before the first period)"
        i = bisect_right(self.period_starts, date) - 1
        if i >= 0 and self.periods[i].end_date >= date:
            return self.periods[i]
        return None

    def engine_period(self, period, index):
        from .engine.tables import Period as EnginePeriod
        return EnginePeriod(
            id=period.name, index=index,
            start_day=day_number(period.start_date),
            end_day=day_number(period.end_date))

    def digest(self, *arrays):
        for array in arrays:
            if isinstance(array, list):
                self.input_digest.update('\x1f'.join(map(str, array)).encode())
            else:
                self.input_digest.update(array.tobytes())
            self.input_digest.update(b'\x1e')

    # inputs -----------------------------------------------------------------

    def load_partners(self, period):
        """The engine Partners table on period's end date (genealogy, status,
        overrides and previous highest ranks of that period)."""
        import numpy as np

        from .engine.tables import ACTIVE, INACTIVE, TERMINATED, Partners
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Event = pool.get('mlm.genealogy.event')
        RankRecord = pool.get('mlm.rank.record')
        cursor = Transaction().connection.cursor()
        date = period.end_date
        distributor = Distributor.__table__()
        ids, sponsor_ids, join_day, statuses = read_columns(
            distributor.select(
                distributor.id, distributor.sponsor, distributor.join_date,
                distributor.status,
                where=distributor.company == self.company.id),
            ['int', 'int', 'day', 'text'])
        n = len(ids)
        codes = {'active': ACTIVE, 'terminated': TERMINATED}
        status_column = np.full(n, INACTIVE, np.int8)
        status_texts = object_array(statuses)
        for status, code in codes.items():
            status_column[status_texts == status] = code
        # the later genealogy events give the state on the period end
        changed = Event.parents_at(
            'sponsor', None, date, company=self.company.id)
        event = Event.__table__()
        cursor.execute(*event.select(
                event.distributor, event.old_status,
                where=(event.kind == 'status') & (event.valid_from > date)
                & (event.company == self.company.id),
                order_by=[event.valid_from.desc, event.id.desc]))
        old_status = dict(cursor)

        def positions(values):
            values = np.asarray(values, np.int64)
            found = np.searchsorted(ids, values)
            found = np.clip(found, 0, max(n - 1, 0))
            ok = (values > 0) & (n > 0)
            if n:
                ok &= ids[found] == values
            return np.where(ok, found, -1).astype(np.int32)

        if changed:
            where = positions(list(changed))
            ok = where >= 0
            sponsor_ids[where[ok]] = np.array(
                [p or 0 for p in changed.values()], np.int64)[ok]
        if old_status:
            where = positions(list(old_status))
            ok = where >= 0
            status_column[where[ok]] = np.array([codes.get(s, INACTIVE)
                    for s in old_status.values()], np.int8)[ok]
        sponsor = positions(sponsor_ids)
        record = RankRecord.__table__()
        override = np.full(n, -1, np.int16)
        cursor.execute(*record.select(
                record.distributor, record.override_rank,
                where=(record.company == self.company.id)
                & (record.period_start == period.start_date)
                & (record.override_rank != Null)))
        self.overrides = {}
        for distributor_id, rank_id in cursor:
            self.overrides[distributor_id] = rank_id
        if self.overrides:
            where = positions(list(self.overrides))
            override[where] = [
                self.rank_index_by_id.get(r, -1)
                for r in self.overrides.values()]
        previous = np.full(n, -1, np.int16)
        Rank = pool.get('mlm.rank')
        rank = Rank.__table__()
        from sql.aggregate import Max
        cursor.execute(*record.join(rank,
                condition=record.highest_rank == rank.id).select(
                record.distributor, Max(rank.level),
                where=(record.company == self.company.id)
                & (record.period_end < period.start_date),
                group_by=[record.distributor]))
        index_by_level = {
            r.level: self.rank_names.index(r.code)
            for r in self.rank_by_code.values() if r.code in self.rank_names}
        found = cursor.fetchall()
        if found:
            where = positions([f[0] for f in found])
            previous[where] = [index_by_level.get(f[1], -1) for f in found]
        from .run_network import placements
        binary_parent, binary_leg, matrix_parent = placements(
            self.company, date, ids, positions, self.plan_set)
        partners = Partners(
            ids=[str(i) for i in ids.tolist()], sponsor=sponsor,
            binary_parent=binary_parent, binary_leg=binary_leg,
            matrix_parent=matrix_parent, status=status_column,
            join_day=join_day, rank_override=override,
            previous_highest=previous)
        self.digest(partners.ids, sponsor, status_column, join_day, override,
            previous)
        if (binary_parent >= 0).any() or (matrix_parent >= 0).any():
            # without placements the hash stays the one of earlier runs
            self.digest(binary_parent, binary_leg, matrix_parent)
        return ids, positions, partners

    def load_entries(self):
        "Orders and returns not consumed by another period"
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        Entry = pool.get('mlm.commission.period.entry')
        Invoice = pool.get('account.invoice')
        cursor = Transaction().connection.cursor()
        volume = Volume.__table__()
        entry = Entry.__table__()
        invoice = Invoice.__table__()
        period = self.period
        consumed = Exists(entry.select(
                Literal(1),
                where=(entry.volume == volume.id)
                & (entry.period != period.id)))
        if self.plan.commissionable_on == 'posting':
            commissionable = volume.posting_date
            query = volume   # every volume entry has an invoice
        else:
            commissionable = invoice.mlm_paid_date
            query = volume.join(invoice,
                condition=volume.invoice == invoice.id)
        orders = OrderColumns(*read_columns(query.select(
                    volume.id, volume.distributor, volume.customer_order,
                    volume.order_date, commissionable, volume.pv, volume.cv,
                    volume.amount, volume.reference,
                    where=(volume.company == self.company.id)
                    & (volume.kind == 'order')
                    & (volume.order_date <= period.end_date)
                    & (commissionable != Null)
                    & (commissionable <= period.cutoff_date)
                    & ~consumed),
                OrderColumns.KINDS))
        self.order_info.update(zip(orders.id.tolist(),
                zip(orders.reference, orders.order_day.tolist())))
        cursor.execute(*query.select(
                volume.id, volume.distributor, volume.customer_order,
                volume.order_date, commissionable, volume.pv, volume.cv,
                volume.amount, volume.reference, volume.order,
                volume.posting_date,
                where=(volume.company == self.company.id)
                & (volume.kind == 'return')
                & (volume.posting_date <= period.end_date)
                & ~consumed,
                order_by=[volume.id.asc]))
        returns = cursor.fetchall()
        return orders, returns

    def consumed_by(self, volume_ids):
        "{volume id: (period id, role)} for entries consumed elsewhere"
        pool = Pool()
        Entry = pool.get('mlm.commission.period.entry')
        cursor = Transaction().connection.cursor()
        entry = Entry.__table__()
        result = {}
        ids = list(volume_ids)
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*entry.select(
                    entry.volume, entry.period, entry.role,
                    where=entry.volume.in_(ids[i:i + CHUNK])
                    & (entry.period != self.period.id)))
            for volume_id, period_id, role in cursor:
                result[volume_id] = (period_id, role)
        return result

    def volume_rows(self, volume_ids):
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        cursor = Transaction().connection.cursor()
        volume = Volume.__table__()
        result = {}
        ids = list(volume_ids)
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*volume.select(
                    volume.id, volume.distributor, volume.customer_order,
                    volume.order_date, volume.pv, volume.cv, volume.amount,
                    volume.reference, volume.order,
                    where=volume.id.in_(ids[i:i + CHUNK])))
            for row in cursor:
                result[row[0]] = row
                self.order_info[row[0]] = (row[7], day_number(row[3]))
        return result

    def stored_lines(self, order_ids):
        "Commission lines stored for the orders (for clawbacks)"
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        cursor = Transaction().connection.cursor()
        line = Line.__table__()
        rows = []
        ids = list(order_ids)
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*line.select(
                    line.id, line.period, line.beneficiary, line.component,
                    line.source_distributor, line.source_volume, line.level,
                    line.paid_level, line.basis, line.base, line.rate,
                    line.amount, line.rank, line.plan_version,
                    line.order_volume, line.path,
                    where=line.source_volume.in_(ids[i:i + CHUNK])
                    & (line.kind == 'commission'),
                    order_by=[line.id.asc]))
            rows.extend(cursor.fetchall())
        rows.sort(key=lambda r: r[0])
        return rows

    # run --------------------------------------------------------------------

    def simulate(self):
        """Compute without writing; return {distributor id: cents}"""
        self.run(write=False)
        return self.simulated

    def run(self, fail_after=None, write=True):
        import numpy as np

        from .engine import EngineInputError, run_period
        from .engine.components.clawback import Ledger
        from .engine.lines import BASES, COMPONENTS, Lines
        from .engine.period import PeriodState
        from .engine.tables import Orders, Returns
        period = self.period
        window = self.config.clawback_window_months
        self.progress('inputs', 0.05)
        ids, positions, partners = self.load_partners(period)
        order_rows, return_rows = self.load_entries()
        self.watch.lap('read inputs')

        # classify the returns
        from .period import add_months
        order_of_return = {r[0]: r[9] for r in return_rows}
        returned = np.array(list(order_of_return.values()), np.int64)
        candidate_ids = set(
            order_rows.id[np.isin(order_rows.id, returned)].tolist())
        consumed = self.consumed_by(set(order_of_return.values()))
        roles = {}        # volume id -> role for this period
        netted = {}       # order id -> [pv, cv, amount] returned in this run
        clawed = []       # (return row, order id, order period id)
        for row in return_rows:
            order_id = row[9]
            if order_id in candidate_ids:
                roles[row[0]] = 'return'
                total = netted.setdefault(order_id, [0, 0, 0])
                total[0] += cents(row[5])
                total[1] += cents(row[6])
                total[2] += cents(row[7])
            elif order_id in consumed and consumed[order_id][1] in {
                    'order', 'late'}:
                origin_period = consumed[order_id][0]
                if row[10] > add_months(row[3], window):
                    roles[row[0]] = 'expired'
                else:
                    roles[row[0]] = 'clawback'
                    clawed.append((row, order_id, origin_period))
            # otherwise the order is not commissioned yet: the return waits
        # classify the orders: late if dated in an earlier period
        starts = days([p.start_date for p in self.periods])
        ends = days([p.end_date for p in self.periods])
        index = np.searchsorted(starts, order_rows.order_day, 'right') - 1
        late = ((index >= 0)
            & (index < [p.id for p in self.periods].index(period.id))
            & (order_rows.order_day <= ends[np.maximum(index, 0)]))
        origin = np.where(late, np.array([p.id for p in self.periods],
                np.int64)[np.maximum(index, 0)], period.id)
        id_list = order_rows.id.tolist()
        roles.update(zip(id_list, np.where(late, 'late', 'order').tolist()))
        origin_period_of = dict(zip(id_list, origin.tolist()))
        late_by_period = {}
        for i in np.flatnonzero(late).tolist():
            late_by_period.setdefault(int(origin[i]), []).append(
                order_rows.row(i))

        # previous state: earlier periods of clawed-back orders, ledger
        old_period_ids = sorted({c[2] for c in clawed},
            key=lambda i: self.period_starts[
                [p.id for p in self.periods].index(i)])
        old_index = {pid: i for i, pid in enumerate(old_period_ids)}
        current_index = len(old_period_ids)
        clawed_orders = sorted({c[1] for c in clawed})
        stored = self.stored_lines(clawed_orders)
        old_rows = self.volume_rows(clawed_orders)
        earlier_returns = self.returned_before(clawed_orders)
        self.watch.lap('read inputs')

        # orders table: this period's orders and late orders (net of their
        # returns), then the earlier orders being clawed back
        pv_col, cv_col, amount_col = (order_rows.pv.copy(),
            order_rows.cv.copy(), order_rows.amount.copy())
        netted_at = np.searchsorted(
            order_rows.id, np.array(list(netted), np.int64))
        for i, net in zip(netted_at.tolist(), netted.values()):
            pv_col[i] += net[0]
            cv_col[i] += net[1]
            amount_col[i] += net[2]
        old = [old_rows[o] for o in clawed_orders]
        old_day = [day_number(r[3]) for r in old]
        order_ids = id_list + clawed_orders
        order_pos = {o: i for i, o in enumerate(order_ids)}

        def column(current, earlier, dtype):
            return np.concatenate([current, np.array(earlier, dtype)])
        orders = Orders(
            ids=[str(o) for o in order_ids],
            period=column(np.full(len(id_list), current_index, np.int32),
                [old_index[consumed[o][0]] for o in clawed_orders],
                np.int32),
            partner=positions(column(
                    order_rows.distributor, [r[1] for r in old], np.int64)),
            customer=column(
                order_rows.customer, [bool(r[2]) for r in old], bool),
            order_day=column(order_rows.order_day, old_day, np.int32),
            paid_day=column(order_rows.paid_day, old_day, np.int32),
            pv=column(pv_col, [cents(r[4]) for r in old], np.int64),
            cv=column(cv_col, [cents(r[5]) for r in old], np.int64),
            amount=column(
                amount_col, [cents(r[6]) for r in old], np.int64))
        returns = Returns(
            period=np.full(len(clawed), current_index, np.int32),
            order=np.array([order_pos[c[1]] for c in clawed], np.int32),
            day=np.array([day_number(c[0][10]) for c in clawed], np.int32),
            pv=np.array([-cents(c[0][5]) for c in clawed], np.int64),
            cv=np.array([-cents(c[0][6]) for c in clawed], np.int64),
            amount=np.array([-cents(c[0][7]) for c in clawed], np.int64))
        self.digest(orders.ids, orders.period, orders.partner,
            orders.customer, orders.order_day, orders.paid_day, orders.pv,
            orders.cv, orders.amount, returns.order, returns.day,
            returns.pv, returns.cv)

        # the ledger of the stored lines (weight carries the line id)
        state = PeriodState.initial(self.plan_set, partners, orders)
        state.carry = self.previous_carry(ids, positions, len(partners))
        from .run_network import advancement_history
        history = advancement_history(
            self.company, period, self.plan_set, ids, positions)
        if history is not None:
            state.streak, state.advanced = history
            self.digest(*history)
        version_index = {v.id: v.index for v in self.plan_set.versions}
        ledger = Ledger.empty(len(orders))
        batches = {}
        for row in stored:
            batches.setdefault(old_index[row[1]], []).append(row)
        for index, rows in sorted(batches.items()):
            ledger.batches.append((index, Lines(
                        beneficiary=positions([r[2] for r in rows]),
                        component=np.array(
                            [COMPONENTS.index(r[3]) for r in rows], np.int8),
                        source_partner=positions([r[4] or 0 for r in rows]),
                        source_order=np.array(
                            [order_pos[r[5]] for r in rows], np.int32),
                        level=np.array([r[6] or 0 for r in rows], np.int32),
                        paid_level=np.array(
                            [r[7] or 0 for r in rows], np.int32),
                        basis=np.array(
                            [BASES.index(r[8]) for r in rows], np.int8),
                        base=np.array([cents(r[9]) for r in rows], np.int64),
                        rate=np.array(
                            [int(Decimal(str(r[10])) * 10**6) for r in rows],
                            np.int64),
                        amount=np.array(
                            [cents(r[11]) for r in rows], np.int64),
                        rank=np.array([
                                self.rank_names.index(r[12])
                                if r[12] in self.rank_names else -1
                                for r in rows], np.int16),
                        version=np.array([
                                version_index.get(r[13], 0) for r in rows],
                            np.int16),
                        weight=np.array([r[0] for r in rows], np.int64))))
        for order_id in clawed_orders:
            pos = order_pos[order_id]
            for row in stored:
                if row[5] == order_id and row[14] is not None:
                    if row[8] == 'pv':
                        ledger.commissioned_pv[pos] = cents(row[14])
                    else:
                        ledger.commissioned_cv[pos] = cents(row[14])
            before = earlier_returns.get(order_id, (0, 0))
            ledger.returned_pv[pos] = before[0]
            ledger.returned_cv[pos] = before[1]
        state.ledger = ledger
        state.period_ids = tuple(
            str(pid) for pid in old_period_ids)
        for _, lines in ledger.batches:
            self.digest(lines.beneficiary, lines.source_order, lines.amount,
                lines.weight)
        self.watch.lap('read inputs')

        late_ids = {r[0] for rows in late_by_period.values() for r in rows}
        engine_period = self.engine_period(period, current_index)
        try:
            with self.writing() if write else nullcontext() as writer:
                if writer is not None:
                    # the inputs are known: the server writes them while
                    # the engine computes
                    self.write_inputs(writer, roles, origin_period_of)
                self.progress('engine', 0.3)
                result = run_period(self.plan_set, partners, orders,
                    engine_period, returns=returns, previous=state)
                lines = result.unordered_lines
                late_pos = np.array(
                    sorted(order_pos[i] for i in late_ids), np.int32)
                if len(late_pos):
                    keep = ~(np.isin(lines.source_order, late_pos)
                        & (lines.reverses_period < 0))
                    lines = lines.take(keep)
                    if result.version.payout_cap is not None:
                        self.cap_own_lines(lines, result, late_pos)
                self.watch.lap('compute')
                rows = self.line_rows(
                    result, lines, ids, order_ids, late=False,
                    origin_period_of=origin_period_of,
                    old_period_ids=old_period_ids, stored=stored)
                if late_by_period and writer is not None:
                    writer.wait()   # the connection reads the order periods
                # historization: late orders at their order period's
                # conditions
                for origin_period_id, late_rows in sorted(
                        late_by_period.items()):
                    rows.extend(self.historical_lines(
                            origin_period_id, late_rows, netted))
                self.watch.lap('compute')
                if writer is None:
                    self.simulated = {}
                    for beneficiary, amount in zip(
                            rows.beneficiary.tolist(), rows.amount.tolist()):
                        self.simulated[beneficiary] = (
                            self.simulated.get(beneficiary, 0) + amount)
                    return
                self.progress('write', 0.6)
                self.write_ranks(writer, result, ids)
                self.write_lines(writer, rows, fail_after)
        except EngineInputError as exception:
            raise PlanError(gettext(
                    'mlm_commission.msg_run_engine',
                    period=period.rec_name,
                    errors='\n'.join(exception.messages))) from exception
        self.input_hash = self.input_digest.hexdigest()
        self.watch.lap('hash')

    def returned_before(self, order_ids):
        "{order id: (pv, cv) cents} returned and clawed back in other periods"
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        Entry = pool.get('mlm.commission.period.entry')
        cursor = Transaction().connection.cursor()
        volume = Volume.__table__()
        entry = Entry.__table__()
        result = {}
        ids = list(order_ids)
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*volume.join(entry,
                    condition=entry.volume == volume.id).select(
                    volume.order, volume.pv, volume.cv,
                    where=volume.order.in_(ids[i:i + CHUNK])
                    & (entry.role == 'clawback')
                    & (entry.period != self.period.id)))
            for order_id, pv, cv in cursor:
                total = result.setdefault(order_id, [0, 0])
                total[0] -= cents(pv)
                total[1] -= cents(cv)
        return result

    def previous_carry(self, ids, positions, n):
        import numpy as np
        pool = Pool()
        Figure = pool.get('mlm.commission.figure')
        cursor = Transaction().connection.cursor()
        carry = np.zeros((n, 2), np.int64)
        previous = self.period.previous()
        if previous is None:
            return carry
        figure = Figure.__table__()
        cursor.execute(*figure.select(
                figure.distributor, figure.carry_left, figure.carry_right,
                where=(figure.period == previous.id)
                & ((figure.carry_left != 0) | (figure.carry_right != 0))))
        found = cursor.fetchall()
        if found:
            where = positions([f[0] for f in found])
            carry[where, 0] = [cents(f[1] or 0) for f in found]
            carry[where, 1] = [cents(f[2] or 0) for f in found]
        self.digest(carry)
        return carry

    def historical_lines(self, origin_period_id, late_rows, netted):
        """Lines of late orders computed with their order period's
        genealogy, paid-as ranks and plan versions."""
        import numpy as np

        from .engine import run_period
        from .engine.tables import Orders
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Entry = pool.get('mlm.commission.period.entry')
        RankRecord = pool.get('mlm.rank.record')
        cursor = Transaction().connection.cursor()
        origin_period = Period(origin_period_id)
        ids, positions, partners = self.load_partners(origin_period)
        # paid-as ranks of the order period win (ranks at the order date)
        record = RankRecord.__table__()
        cursor.execute(*record.select(
                record.distributor, record.paid_as_rank,
                where=(record.company == self.company.id)
                & (record.period_start == origin_period.start_date)
                & (record.paid_as_rank != Null)))
        found = cursor.fetchall()
        if found:
            where = positions([f[0] for f in found])
            partners.rank_override[where] = [
                self.rank_index_by_id.get(f[1], -1) for f in found]
        entry = Entry.__table__()
        cursor.execute(*entry.select(
                entry.volume,
                where=(entry.period == origin_period_id)
                & (entry.role == 'order')))
        earlier = self.volume_rows([r for r, in cursor])
        # (id, distributor, customer, order day, pv, cv, amount in cents)
        rows = [(r[0], r[1], r[2], day_number(r[3]), cents(r[4]),
                cents(r[5]), cents(r[6])) for r in sorted(earlier.values())]
        late_ids = []
        for row in late_rows:
            net = netted.get(row[0], (0, 0, 0))
            late_ids.append(row[0])
            rows.append(row[:4] + tuple(v + d for v, d in zip(row[4:], net)))
        order_ids = [r[0] for r in rows]
        orders = Orders(
            ids=[str(o) for o in order_ids],
            period=np.zeros(len(rows), np.int32),
            partner=positions([r[1] for r in rows]),
            customer=np.array([bool(r[2]) for r in rows], bool),
            order_day=np.array([r[3] for r in rows], np.int32),
            paid_day=np.array([r[3] for r in rows], np.int32),
            pv=np.array([r[4] for r in rows], np.int64),
            cv=np.array([r[5] for r in rows], np.int64),
            amount=np.array([r[6] for r in rows], np.int64))
        self.digest(orders.ids, orders.partner, orders.pv, orders.cv)
        result = run_period(self.plan_set, partners, orders,
            self.engine_period(origin_period, 0))
        lines = result.unordered_lines
        positions_late = np.array(
            [order_ids.index(i) for i in late_ids], np.int32)
        lines = lines.take(np.isin(lines.source_order, positions_late)
            & (lines.reverses_period < 0))
        if result.version.payout_cap is not None:
            self.cap_late_lines(lines, result, origin_period_id)
        origin_period_of = {i: origin_period_id for i in late_ids}
        return self.line_rows(result, lines, ids, order_ids, late=True,
            origin_period_of=origin_period_of, old_period_ids=[], stored=[])

    def cap_late_lines(self, lines, result, origin_period_id):
        """The payout cap on the late lines of an order period (ADR 0041):
        all the period's runs together pay at most its cap on the volume of
        its orders and of all its late orders.  The lines paid earlier are
        final; the late lines share the rest pro rata to their uncapped
        amounts."""
        from .engine.components import payout_cap
        cap = result.version.payout_cap
        volume = result.company_volume(cap.volume) + self.earlier_late_volume(
            origin_period_id, cap.volume)
        reshare(lines, payout_cap.limit_of(volume, cap)
            - self.paid_for(origin_period_id))

    def cap_own_lines(self, lines, result, late_pos):
        """The payout cap of the period on the lines of its own orders
        (ADR 0041): the engine capped them together with the late orders'
        lines, taken out since, on a volume with the late orders' volume,
        which counts for their order periods' caps"""
        from .engine.components import payout_cap
        cap = result.version.payout_cap
        orders = result.orders
        late_volume = int((orders.pv if cap.volume == 'pv'
                else orders.cv)[late_pos].sum())
        reshare(lines, payout_cap.limit_of(
                result.company_volume(cap.volume) - late_volume, cap))

    def paid_for(self, origin_period_id):
        """Cents of the commission lines of an order period: its own and
        its late lines written by earlier periods"""
        Line = Pool().get('mlm.commission.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(Sum(line.amount),
                where=(line.kind == 'commission') & (line.amount > 0)
                & (((line.period == origin_period_id) & ~line.late)
                    | ((line.origin_period == origin_period_id) & line.late
                        & (line.period != self.period.id)))))
        total, = cursor.fetchone()
        return cents(total or 0)

    def earlier_late_volume(self, origin_period_id, kind):
        """Cents of PV or CV of an order period's late orders commissioned
        by earlier periods"""
        pool = Pool()
        Volume = pool.get('mlm.commission.volume')
        Entry = pool.get('mlm.commission.period.entry')
        volume, entry = Volume.__table__(), Entry.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*entry.join(volume,
                condition=entry.volume == volume.id).select(
                Sum(getattr(volume, kind)),
                where=(entry.origin_period == origin_period_id)
                & (entry.role == 'late')
                & (entry.period != self.period.id)))
        total, = cursor.fetchone()
        return cents(total or 0)

    def line_rows(self, result, lines, ids, order_ids, late,
            origin_period_of, old_period_ids, stored):
        """The lines as LineRows: their texts (one COPY text per line,
        LINE_COLUMNS, built per column by run_text) are built slice by
        slice while the previous slice is written."""
        import numpy as np

        from .engine.forests import sponsor_forest
        from .run_text import NULL, escape, lookup
        n = len(lines)
        if not n:
            return LineRows.empty()
        period = self.period.id
        # per order position (-1: no order): source_volume, order_reference,
        # order_date and origin_period in one text
        dates = {}
        order_texts = []
        for order_id in order_ids:
            reference, day = self.order_info.get(order_id, (None, None))
            if day not in dates:
                dates[day] = NULL if day is None else format_day(day)
            order_texts.append('%s\t%s\t%s' % (
                    order_id, escape(reference), dates[day]))
        order_group = lookup(['%s\t%s' % (t, origin_period_of.get(o, period))
                for t, o in zip(order_texts, order_ids)])
        order_group[-1] = '\t'.join([NULL] * 4)
        texts = LineTexts(
            result=result, ids=ids,
            id_text=lookup([str(i) for i in ids.tolist()]),
            order_texts=order_texts, order_group=order_group,
            status='commission\t%s\t%s\t%s' % (
                't' if late else 'f', NULL, NULL),
            rank_text=[*self.rank_names, NULL],
            version_text=[*(v.id for v in self.plan_set.versions), NULL],
            forest=sponsor_forest(result.partners) if n <= PATH_LIMIT
            else None,
            stored_by_id={r[0]: r for r in stored},
            old_period_ids=old_period_ids)
        return LineRows(
            [(texts, lines.take(part)) for part in slices(n)],
            ids[lines.beneficiary].astype(np.int64),
            lines.amount.astype(np.int64))

    # write ------------------------------------------------------------------

    @property
    def run_id(self):
        "The id of the run record written (None for a what-if)"
        record = self.run_record
        return record.id if record and (record.id or -1) >= 0 else None

    @contextmanager
    def writing(self):
        """The TextWriter of the period's new rows: the rows of the period
        are replaced when the block ends.  On PostgreSQL the lines, figures
        and rank records go into fresh partitions swapped in then (ADR
        0051)."""
        from .run_text import TextWriter
        pool = Pool()
        Line = pool.get('mlm.commission.line')
        Entry = pool.get('mlm.commission.period.entry')
        Figure = pool.get('mlm.commission.figure')
        RankRecord = pool.get('mlm.rank.record')
        cursor = Transaction().connection.cursor()
        period = self.period
        line, entry, figure = (
            Line.__table__(), Entry.__table__(), Figure.__table__())
        record = RankRecord.__table__()
        of_period = ((record.company == self.company.id)
            & (record.period_start == period.start_date))
        cursor.execute(*record.select(
                record.distributor, record.override_rank,
                record.override_reason, record.override_user,
                where=of_period & (record.override_rank != Null)))
        # {distributor id: (rank, reason, user)} kept on the new records
        self.kept_overrides = {r[0]: r[1:] for r in cursor}
        fresh = {}
        if partition.partitioned():
            fresh = {
                Line: partition.Replacement(
                    Line._table, 'period', period.id),
                Figure: partition.Replacement(
                    Figure._table, 'period', period.id),
                RankRecord: partition.Replacement(
                    RankRecord._table, 'period_start', period.start_date,
                    keep='company <> %d' % self.company.id),
                }
            for replacement in fresh.values():
                replacement.create()
        else:
            # the lines first (they reference nothing of this period)
            cursor.execute(*line.delete(where=line.period == period.id))
            cursor.execute(*figure.delete(where=figure.period == period.id))
            cursor.execute(*record.delete(where=of_period))
        cursor.execute(*entry.delete(where=entry.period == period.id))
        self.watch.lap('write lines')

        # each table's texts are built while the previous one is written
        # (TextWriter)
        tables = {Model: r.name for Model, r in fresh.items()}
        with TextWriter(tables) as writer:
            yield writer
        self.watch.lap('update ranks',
            at=writer.finished.get(RankRecord._table))
        partition.swap(list(fresh.values()))
        self.watch.lap('write lines')
        for Model in [Line, Entry, Figure, RankRecord]:
            clear_cache(Model)

    def write_inputs(self, writer, roles, origin_period_of):
        "The period inputs: the volume entries consumed and their roles"
        import numpy as np
        from .run_text import NULL, int_texts, join_rows, texts_of
        Entry = Pool().get('mlm.commission.period.entry')
        volumes = np.array(sorted(roles), np.int64)
        for part in slices(len(volumes)):
            chunk = volumes[part].tolist()
            origins = np.array(
                [origin_period_of.get(v) or 0 for v in chunk], np.int64)
            writer.write(Entry, ['volume', 'role', 'origin_period'],
                join_rows([int_texts(volumes[part]),
                        [roles[v] for v in chunk],
                        texts_of(origins, lambda v: str(v) if v else NULL)]),
                [('period', self.period.id), ('run', self.run_id)])

    def write_lines(self, writer, rows, fail_after=None):
        "The lines, their output hash, count and total"
        Line = Pool().get('mlm.commission.line')
        period = self.period
        suffix = [('company', self.company.id), ('period', period.id),
            ('run', self.run_id)]
        # the digest of the texts written: lines_digest(period) would read
        # the same texts back in id order (ADR 0046)
        digest = hashlib.sha256()
        written = 0
        for texts in rows.texts():
            if fail_after is not None:
                texts = texts[:max(fail_after - written, 0)]
            writer.write(Line, LINE_COLUMNS, texts, suffix)
            texts_digest(texts, digest)
            written += len(texts)
        if fail_after is not None:
            raise RuntimeError('run interrupted (test)')
        self.output_hash = digest.hexdigest()
        self.line_count = len(rows)
        self.total = int(rows.amount.sum())

    def write_ranks(self, writer, result, ids):
        """The partner figures and the rank records of the period (with
        the overrides kept from the records replaced)"""
        import numpy as np
        from .run_text import (
            NULL, constant, fixed_texts, int_texts, join_rows, lookup,
            value_text)
        pool = Pool()
        Figure = pool.get('mlm.commission.figure')
        RankRecord = pool.get('mlm.rank.record')
        period = self.period
        ranks = result.ranks
        carry = result.carry_out
        # a manual override counts as reached, as on records written by
        # hand (RankRecord._set_paid_as)
        highest = np.maximum(ranks.highest, ranks.paid_as)
        id_text = lookup([str(i) for i in ids.tolist()])
        names = lookup(self.rank_names)
        chosen = np.flatnonzero(result.present | (result.pv != 0)
            | (carry[:, 0] != 0) | (carry[:, 1] != 0))
        for part in slices(len(chosen)):
            c = chosen[part]
            writer.write(Figure, ['distributor', 'active', 'pv', 'cv', 'gv',
                    'qualified_rank', 'paid_as_rank', 'highest_rank',
                    'carry_left', 'carry_right'], join_rows([
                        id_text[c],
                        np.where(result.active[c], 't', 'f').astype(object),
                        fixed_texts(result.pv[c], 2),
                        fixed_texts(result.cv[c], 2),
                        fixed_texts(result.gv[c], 2),
                        names[ranks.qualified[c]],
                        names[ranks.paid_as[c]],
                        names[highest[c]],
                        fixed_texts(carry[c, 0], 2),
                        fixed_texts(carry[c, 1], 2)]),
                [('period', period.id)])
        rank_id = lookup([value_text(r) for r in self.rank_id])
        present = np.flatnonzero(result.present)
        override_columns = [constant(NULL, len(present)) for _ in range(3)]
        overrides = self.kept_overrides
        where = {d: i for i, d in enumerate(ids[present].tolist())
            if d in overrides}
        for distributor, i in where.items():
            for column, value in zip(override_columns, overrides[distributor]):
                column[i] = value_text(value)
        for part in slices(len(present)):
            p = present[part]
            writer.write(RankRecord, ['distributor', 'computed_rank',
                    'override_rank', 'override_reason', 'override_user',
                    'paid_as_rank', 'highest_rank', 'pv', 'gv',
                    'qualifying_gv', 'qualified_legs'],
                join_rows([
                        id_text[p], rank_id[ranks.qualified[p]],
                        *(c[part] for c in override_columns),
                        rank_id[ranks.paid_as[p]], rank_id[highest[p]],
                        fixed_texts(result.pv[p], 2),
                        fixed_texts(result.gv[p], 2),
                        fixed_texts(ranks.qualifying_gv[p], 2),
                        int_texts(ranks.qualified_legs[p])]),
                [('company', self.company.id),
                    ('period_start', period.start_date),
                    ('period_end', period.end_date)])


def reshare(lines, limit):
    """The lines' amounts: their uncapped amounts, reduced pro rata if they
    exceed limit cents (payout_cap.share_out)"""
    from .engine.components import payout_cap
    lines.amount = lines.column('uncapped')
    lines.uncapped = None
    payout_cap.share_out([lines], max(limit, 0))


# the text of a line (write order, output hash): its content, without the
# company, period, run and audit columns
LINE_COLUMNS = [
    'beneficiary', 'source_distributor', 'component', 'basis', 'kind', 'late',
    'reverses', 'reverses_period', 'source_volume', 'order_reference',
    'order_date', 'origin_period', 'level', 'paid_level', 'base',
    'order_volume', 'rate', 'amount', 'amount_before_cap', 'rank',
    'plan_version', 'path']
DECIMALS = {'base': 2, 'order_volume': 2, 'rate': 6, 'amount': 2,
    'amount_before_cap': 2}


class LineTexts:
    """Builds the COPY texts of a slice of a run's lines (Pipeline.line_rows
    prepares what all slices share)"""

    def __init__(self, **shared):
        self.__dict__.update(shared)

    def __call__(self, lines):
        import numpy as np

        from .engine.lines import BASES, COMPONENTS
        from .run_text import (
            NULL, constant, escape, fixed, fixed_texts, join_rows, texts_of)
        n = len(lines)
        result, ids, id_text = self.result, self.ids, self.id_text
        clawback = lines.reverses_period >= 0
        order_pos = lines.source_order
        basis = lines.basis
        volume_of_order = np.where(basis == BASES.index('pv'),
            result.orders.pv[np.maximum(order_pos, 0)],
            result.orders.cv[np.maximum(order_pos, 0)])
        order_volume = np.where((order_pos >= 0) & np.isin(
                basis, [BASES.index('pv'), BASES.index('cv')]),
            fixed_texts(volume_of_order, 2), NULL)
        level_key = (lines.level.astype(np.int64) << 20) + (
            lines.paid_level.astype(np.int64) + (1 << 19))
        rank_text, version_text = self.rank_text, self.version_text
        columns = [
            id_text[lines.beneficiary],
            id_text[lines.source_partner],
            texts_of(lines.component.astype(np.int64) * 16 + basis,
                lambda k: '%s\t%s' % (COMPONENTS[k // 16], BASES[k % 16])),
            constant(self.status, n),
            self.order_group[order_pos],
            texts_of(level_key, lambda k: '%s\t%s' % (
                    k >> 20, (k & ((1 << 20) - 1)) - (1 << 19))),
            fixed_texts(lines.base, 2),
            order_volume,
            fixed_texts(lines.rate, 6),
            fixed_texts(lines.amount, 2),
            fixed_texts(lines.column('uncapped'), 2),
            texts_of((lines.rank.astype(np.int64) + 1) * 4096
                + lines.version + 1, lambda k: '%s\t%s' % (
                    rank_text[k // 4096 - 1], version_text[k % 4096 - 1])),
            constant(NULL, n),
            ]
        path = columns[-1]
        if self.forest is not None:
            matrix = COMPONENTS.index('matrix')
            for i in np.flatnonzero(~clawback & (lines.source_partner >= 0)
                    & (lines.component != matrix)).tolist():
                path[i] = '/'.join(str(ids[p]) for p in self.forest.path(
                        lines.source_partner[i], int(lines.beneficiary[i])))
        # clawbacks: linked to the stored line they negate (engine weight)
        weight = lines.column('weight')
        for i in np.flatnonzero(clawback).tolist():
            original = self.stored_by_id.get(int(weight[i]))
            reverses_period = self.old_period_ids[lines.reverses_period[i]]
            columns[3][i] = 'clawback\tf\t%s\t%s' % (
                int(weight[i]), reverses_period)
            if order_pos[i] >= 0:
                columns[4][i] = '%s\t%s' % (
                    self.order_texts[order_pos[i]], reverses_period)
            path[i] = escape(original[15] if original else None)
            columns[7][i] = NULL if not original or (
                original[14] is None) else fixed(
                int(Decimal(str(original[14])).scaleb(2)), 2)
        return join_rows(columns)


class LineRows:
    """The lines of a run: their beneficiary ids and amounts in cents, and
    the slices whose COPY texts (LINE_COLUMNS) are built on demand"""

    def __init__(self, slices, beneficiary, amount):
        self.slices = slices    # [(LineTexts, Lines)]
        self.beneficiary = beneficiary
        self.amount = amount

    @classmethod
    def empty(cls):
        import numpy as np
        return cls([], np.zeros(0, np.int64), np.zeros(0, np.int64))

    def __len__(self):
        return len(self.beneficiary)

    def extend(self, other):
        import numpy as np
        self.slices.extend(other.slices)
        self.beneficiary = np.concatenate([self.beneficiary, other.beneficiary])
        self.amount = np.concatenate([self.amount, other.amount])

    def texts(self):
        "The lists of texts of the slices, in write order"
        for texts, lines in self.slices:
            yield texts(lines)


def texts_digest(texts, digest=None):
    """sha256 over the line texts in write order, each ended by a newline
    (digest: continue that sha256, return its hex digest so far)"""
    digest = digest or hashlib.sha256()
    for i in range(0, len(texts), JOIN_ROWS):
        chunk = texts[i:i + JOIN_ROWS]
        digest.update(('\n'.join(chunk) + '\n').encode())
    return digest.hexdigest()


def clear_cache(Model):
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            cache[Model.__name__].clear()


def lines_totals(period_id):
    "{beneficiary id: cents} of the stored lines of a period"
    pool = Pool()
    Line = pool.get('mlm.commission.line')
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.select(line.beneficiary, line.amount,
            where=line.period == period_id))
    totals = {}
    for beneficiary, amount in cursor:
        totals[beneficiary] = totals.get(beneficiary, 0) + cents(amount)
    return totals


def lines_digest(period_id):
    """sha256 over the content of a period's lines in write (id) order,
    independent of ids of the lines themselves (ADR 0046)"""
    from .run_text import value_text
    pool = Pool()
    Line = pool.get('mlm.commission.line')
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.select(
            *[getattr(line, c) for c in LINE_COLUMNS],
            where=line.period == period_id, order_by=[line.id.asc]))
    scales = [DECIMALS.get(c) for c in LINE_COLUMNS]
    late = LINE_COLUMNS.index('late')

    def text(row):
        values = [value_text(v, s) for v, s in zip(row, scales)]
        # SQLite returns booleans as integers
        values[late] = 't' if row[late] else 'f'
        return '\t'.join(values)
    return texts_digest([text(r) for r in cursor])


__all__ = ['Run', 'Pipeline', 'lines_digest', 'lines_totals']
