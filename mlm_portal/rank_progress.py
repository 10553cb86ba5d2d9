# This file is part of the MLM suite. See LICENSE for details.
"""The dashboard's progress to the next rank: each condition of the rank
with the required figure, the partner's figure and what is still missing.

The conditions are the rank rules of the commission plan version that will
decide the open period (docs/plans.md "Ranks"), evaluated as the engine
does (``mlm_commission/engine/components/ranks.py``).  The partner's
figures are the latest available: the open period's latest run, else the
period of the latest computed rank record (the run's figures when
``mlm_commission`` computed it, else the record's qualification snapshot,
which holds no leg figures).  Without ``mlm_commission`` there are no
rules and no progress."""
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sql import Join, Null

from trytond.pool import Pool
from trytond.transaction import Transaction

from .commission import has_commissions, latest_run, preview_period
from .downline_queries import _execute, _prefix_where

CENT = Decimal('0.01')
ZERO = Decimal('0.00')


def volume(value):
    "A volume as Decimal cents (SQLite may return floats)"
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


def share_of(amount, rate):
    "amount x rate rounded half up to the cent, the engine's apply_rate"
    return (amount * Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Condition:
    """One condition of the next rank.

    kind is 'status', 'pv', 'gv' or 'legs'; actual is None when the figures
    do not hold it (a snapshot without leg figures); details are the
    parameters shown with the label (caps, leg rule)."""
    kind: str
    required: object
    actual: object
    details: dict = field(default_factory=dict)

    @property
    def known(self):
        return self.actual is not None

    @property
    def met(self):
        if self.kind == 'status':
            return self.actual == 'active'
        return self.known and self.actual >= self.required

    @property
    def missing(self):
        "How much is missing (None when met, unknown or a status)"
        if self.met or not self.known or self.kind == 'status':
            return None
        return self.required - self.actual


@dataclass
class Progress:
    "The conditions of rank and the figures' period and date"
    rank: object
    conditions: list
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    calculated: bool

    @property
    def reached(self):
        return all(c.met for c in self.conditions)

    @property
    def open_conditions(self):
        return [c for c in self.conditions if not c.met]


@dataclass
class Figures:
    """The partner's figures of a period.

    legs are [(leg head id, group volume)] of the frontline, None when
    unknown; period is the commission period whose rank records give the
    ranks in the legs (None for a snapshot)."""
    pv: Decimal
    gv: Decimal
    legs: list
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    period: object = None


def _run_figures(distributor, period, as_of):
    "The figures of distributor written by the latest run of period"
    pool = Pool()
    Figure = pool.get('mlm.commission.figure')
    Distributor = pool.get('mlm.distributor')
    figure = Figure.__table__()
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*figure.select(figure.pv, figure.gv,
            where=(figure.period == period.id)
            & (figure.distributor == distributor.id)))
    pv, gv = cursor.fetchone() or (None, None)
    # a frontline partner without figures has no volume
    join = Join(table, figure, 'LEFT')
    join.condition = ((figure.distributor == table.id)
        & (figure.period == period.id))
    cursor.execute(*join.select(table.id, figure.gv,
            where=table.sponsor == distributor.id,
            order_by=[table.id.asc]))
    legs = [(i, volume(v)) for i, v in cursor]
    return Figures(volume(pv), volume(gv), legs,
        period.start_date, period.end_date, as_of, period)


def _snapshot_figures(record):
    "The figures of the qualification snapshot of a rank record"
    return Figures(volume(record.pv), volume(record.gv), None,
        record.period_start, record.period_end, record.period_end)


def _legs_with_rank(distributor, figures, level):
    """The ids of the frontline legs in which someone is paid as a rank of
    level or higher in the period of figures (read through the rank records,
    highest ranks first: few partners have them)"""
    pool = Pool()
    RankRecord = pool.get('mlm.rank.record')
    Rank = pool.get('mlm.rank')
    Distributor = pool.get('mlm.distributor')
    from mlm_network.tree import path_ids
    record = RankRecord.__table__()
    rank = Rank.__table__()
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    query = record.join(rank, condition=record.paid_as_rank == rank.id
        ).join(table, condition=record.distributor == table.id)
    _execute(cursor, query.select(table.path,
            where=(record.company == distributor.company.id)
            & (record.period_start == figures.period_start)
            & (record.paid_as_rank != Null)
            & (rank.level >= level)
            & _prefix_where(table, distributor.path)
            & (table.id != distributor.id)))
    depth = len(path_ids(distributor.path))
    return {path_ids(p)[depth] for p, in cursor}


def qualifying_group_volume(rule, pv, legs):
    """Own PV plus the leg volumes counted by the rule's leg caps:
    max_leg_share caps every leg, strongest_leg_cap the strongest leg"""
    min_gv = volume(rule.get('min_gv'))
    leg_cap = (share_of(min_gv, rule['max_leg_share'])
        if rule.get('max_leg_share') is not None else None)
    top_cap = leg_cap
    if rule.get('strongest_leg_cap') is not None:
        top_cap = share_of(min_gv, rule['strongest_leg_cap'])
        if leg_cap is not None:
            top_cap = min(top_cap, leg_cap)

    def capped(value, cap):
        return value if cap is None else min(value, cap)
    volumes = [v for _, v in legs]
    strongest = max([ZERO] + volumes)
    return (pv + sum((capped(v, leg_cap) for v in volumes), ZERO)
        - capped(strongest, leg_cap) + capped(strongest, top_cap))


def _conditions(distributor, rule, figures, ranks_by_code):
    "The conditions of the plan's rank rule for distributor's figures"
    conditions = []
    if distributor.status != 'active':
        # only active partners qualify (docs/plans.md)
        conditions.append(Condition('status', 'active', distributor.status))
    min_pv = volume(rule.get('min_pv'))
    if min_pv:
        conditions.append(Condition('pv', min_pv, figures.pv))
    min_gv = volume(rule.get('min_gv'))
    if min_gv:
        caps = {k: Decimal(rule[k]) for k in ['max_leg_share',
                'strongest_leg_cap'] if rule.get(k) is not None}
        if not caps:
            actual = figures.gv
        elif figures.legs is None:
            actual = None
        else:
            actual = qualifying_group_volume(rule, figures.pv, figures.legs)
        details = {k: share_of(min_gv, v) for k, v in caps.items()}
        details['group_volume'] = figures.gv
        conditions.append(Condition('gv', min_gv, actual, details))
    legs = rule.get('legs') or {}
    if legs.get('count'):
        details = {}
        if legs.get('min_volume') is not None:
            details['min_volume'] = volume(legs['min_volume'])
        leg_rank = ranks_by_code.get(legs.get('min_rank'))
        if legs.get('min_rank') is not None:
            details['min_rank'] = leg_rank.name if leg_rank else (
                legs['min_rank'])
        actual = None
        if figures.legs is not None and (
                leg_rank or legs.get('min_rank') is None):
            ranked = _legs_with_rank(distributor, figures, leg_rank.level
                ) if leg_rank and figures.period else set()
            actual = sum(1 for i, v in figures.legs if i in ranked or (
                    'min_volume' in details and v >= details['min_volume']))
        conditions.append(Condition('legs', legs['count'], actual, details))
    return conditions


def _plan_rule(plan, date, code):
    "The rank rule named code of plan's version valid on date (or None)"
    versions = sorted((v for v in plan.versions
            if v.state in {'active', 'superseded'} and v.valid_from <= date),
        key=lambda v: v.valid_from)
    if not versions:
        return None
    document = json.loads(versions[-1].document)
    for rule in document.get('ranks') or []:
        if rule.get('name') == code:
            return rule
    return None


def _figures_period(company, start):
    "The commission period of company starting on start (or None)"
    Period = Pool().get('mlm.commission.period')
    periods = Period.search([
            ('company', '=', company.id),
            ('start_date', '=', start),
            ], limit=1)
    return periods[0] if periods else None


def _has_figures(period, distributor):
    Figure = Pool().get('mlm.commission.figure')
    return bool(Figure.search([
                ('period', '=', period.id),
                ('distributor', '=', distributor.id),
                ], limit=1))


def _latest_plan(company):
    "The plan of the latest commission period of company (or None)"
    Period = Pool().get('mlm.commission.period')
    periods = Period.search([('company', '=', company.id)],
        order=[('start_date', 'DESC')], limit=1)
    return periods[0].plan if periods else None


def progress(distributor, next_rank, record):
    """The Progress of distributor to next_rank, or None without
    mlm_commission, without a rule for the rank or without figures.

    record is the latest computed rank record of distributor (or None)."""
    pool = Pool()
    if next_rank is None or not has_commissions(pool):
        return None
    Date = pool.get('ir.date')
    Rank = pool.get('mlm.rank')
    company = distributor.company
    today = Date.today()
    period = preview_period(company)
    run = latest_run(period) if period else None
    if run:
        figures = _run_figures(distributor, period,
            min(run.finished.date(), period.end_date))
    elif record:
        computed = _figures_period(company, record.period_start)
        if computed and _has_figures(computed, distributor):
            figures = _run_figures(distributor, computed, computed.end_date)
        else:
            figures = _snapshot_figures(record)
    else:
        return None
    # the rules that will decide the open period: of its last day
    plan = period.plan if period else _latest_plan(company)
    if plan is None:
        return None
    rule = _plan_rule(plan, period.end_date if period else today,
        next_rank.code)
    if rule is None:
        return None
    ranks_by_code = {r.code: r
        for r in Rank.search([('company', '=', company.id)])}
    return Progress(next_rank,
        _conditions(distributor, rule, figures, ranks_by_code),
        figures.period_start, figures.period_end, figures.as_of,
        calculated=figures.period is not None)
