# This file is part of the MLM suite. See LICENSE for details.
"""The commission pages of the portal: periods, lines with their
explanation, statements (Gutschriften) and the dashboard preview.

They read the models of ``mlm_commission`` when that module is activated
in the database (else they answer not found) and, like every portal page,
only through the logged-in distributor: lines by beneficiary, settlements
by distributor, statements by the partner's own settlement."""
import logging
import math
from decimal import Decimal

from sql.aggregate import Count, Sum
from werkzeug.exceptions import NotFound

from trytond.pool import Pool
from trytond.transaction import Transaction

from .routes import _file, _int
from .web import environment, route

logger = logging.getLogger(__name__)
LINES_PER_PAGE = 50
PREVIEW_STATES = {'open', 'calculated'}
# periods whose statements are final, settlements that have one
STATEMENT_STATES = {'approved', 'closed'}
SETTLEMENT_STATES = {'posted', 'carried', 'blocked'}
CENT = Decimal('0.01')


def has_commissions(pool):
    "Whether mlm_commission is activated in the database of pool"
    try:
        pool.get('mlm.commission.period')
    except KeyError:
        return False
    return True


environment.globals['has_commissions'] = has_commissions


def _require(pool):
    if not has_commissions(pool):
        raise NotFound()


def to_money(value):
    "A SQL sum as Decimal cents (SQLite returns floats for SUM(numeric))"
    if value is None:
        return Decimal('0.00')
    return Decimal(str(value)).quantize(CENT)


def preview_period(company):
    """The open period of company: the latest period not yet approved that
    started by today, or None"""
    pool = Pool()
    Period = pool.get('mlm.commission.period')
    Date = pool.get('ir.date')
    periods = Period.search([
            ('company', '=', company.id),
            ('state', 'in', sorted(PREVIEW_STATES)),
            ('start_date', '<=', Date.today()),
            ], order=[('start_date', 'DESC')], limit=1)
    return periods[0] if periods else None


def latest_run(period):
    Run = Pool().get('mlm.commission.run')
    runs = Run.search([
            ('period', '=', period.id),
            ('state', '=', 'done'),
            ], order=[('id', 'DESC')], limit=1)
    return runs[0] if runs else None


def preview(distributor):
    """The dashboard preview of the open period's commission of distributor:
    a dict with the period, its latest run (None: no run yet), the sum and
    the count of the distributor's lines of that run; None without an open
    period or without mlm_commission."""
    pool = Pool()
    if not has_commissions(pool):
        return None
    Line = pool.get('mlm.commission.line')
    period = preview_period(distributor.company)
    if not period:
        return None
    run = latest_run(period)
    result = {'period': period, 'run': run, 'amount': None, 'count': 0}
    if run:
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(Sum(line.amount), Count(line.id),
                where=(line.period == period.id)
                & (line.run == run.id)
                & (line.beneficiary == distributor.id)))
        total, count = cursor.fetchone()
        result.update(amount=to_money(total), count=count or 0)
    return result


def _sections(period_ids, distributor):
    """{period id: {section: (amount, count)}} of the distributor's lines;
    sections are commission, late and clawback (as on the statement)"""
    Line = Pool().get('mlm.commission.line')
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    result = {p: {} for p in period_ids}
    if not period_ids:
        return result
    # the (period, beneficiary) index serves a period list and one partner
    cursor.execute(*line.select(line.period, line.kind, line.late,
            Sum(line.amount), Count(line.id),
            where=line.period.in_(list(period_ids))
            & (line.beneficiary == distributor.id),
            group_by=[line.period, line.kind, line.late]))
    for period_id, kind, late, total, count in cursor:
        section = ('clawback' if kind == 'clawback'
            else 'late' if late else 'commission')
        amount, number = result[period_id].get(section, (Decimal(0), 0))
        result[period_id][section] = (amount + to_money(total),
            number + count)
    return result


def _paid_as(period_ids, distributor):
    "{period id: paid-as rank name} of the distributor's run figures"
    Figure = Pool().get('mlm.commission.figure')
    figure = Figure.__table__()
    cursor = Transaction().connection.cursor()
    if not period_ids:
        return {}
    cursor.execute(*figure.select(figure.period, figure.paid_as_rank,
            where=figure.period.in_(list(period_ids))
            & (figure.distributor == distributor.id)))
    return dict(cursor)


def _settlements(distributor, period_ids=None):
    "{period id: settlement} of the distributor"
    Settlement = Pool().get('mlm.commission.settlement')
    domain = [('distributor', '=', distributor.id)]
    if period_ids is not None:
        domain.append(('period', 'in', list(period_ids)))
    return {s.period.id: s for s in Settlement.search(domain)}


def _summary(period, sections, paid_as, settlement, statements):
    earned = sum((a for a, _ in sections.values()), Decimal('0.00'))
    return {
        'period': period,
        # not approved: the amounts may still change
        'preview': period.state in PREVIEW_STATES,
        'sections': sections,
        'earned': earned,
        'count': sum(c for _, c in sections.values()),
        'paid_as': paid_as,
        'settlement': settlement,
        'statement': bool(settlement) and settlement.id in statements,
        }


def statement_name(settlement):
    "The attachment name given by Settlement.attach_statements"
    name = getattr(settlement, 'statement_name', None)
    if name:
        return name
    return 'Gutschrift %s %s.pdf' % (
        settlement.number, settlement.period.name)


def statements(settlements):
    """{settlement id: attachment} of the stored statements of settlements
    that are final: settled (posted, carried or blocked) in an approved or
    closed period.  The statements are attached to the partner's party."""
    Attachment = Pool().get('ir.attachment')
    final = [s for s in settlements if s.state in SETTLEMENT_STATES
        and s.period.state in STATEMENT_STATES]
    if not final:
        return {}
    names = {(str(s.party), statement_name(s)): s.id for s in final}
    result = {}
    for attachment in Attachment.search([
                ('resource', 'in', sorted({r for r, _ in names})),
                ('name', 'in', sorted({n for _, n in names})),
                ], order=[('id', 'ASC')]):
        key = (str(attachment.resource), attachment.name)
        if key in names:
            result[names[key]] = attachment
    return result


def my_periods(portal):
    """The summaries of the periods of the logged-in partner, newest
    first: periods with own lines or an own settlement, and the open
    period as preview"""
    pool = portal.pool
    Period = pool.get('mlm.commission.period')
    me = portal.distributor
    periods = Period.search([('company', '=', me.company.id)],
        order=[('start_date', 'DESC')])
    ids = [p.id for p in periods]
    sections = _sections(ids, me)
    settlements = _settlements(me)
    current = preview_period(me.company)
    preview_id = current.id if current else None
    shown = [p for p in periods if sections[p.id]
        or p.id in settlements or p.id == preview_id]
    paid_as = _paid_as([p.id for p in shown], me)
    stored = statements(list(settlements.values()))
    return [_summary(p, sections[p.id], paid_as.get(p.id),
            settlements.get(p.id), stored) for p in shown]


def _period(portal, period_id):
    "The summary of one of the partner's periods, else NotFound"
    Period = portal.pool.get('mlm.commission.period')
    me = portal.distributor
    found = Period.search([
            ('id', '=', _int(period_id)),
            ('company', '=', me.company.id),
            ], limit=1)
    if not found:
        raise NotFound()
    period, = found
    sections = _sections([period.id], me)[period.id]
    settlement = _settlements(me, [period.id]).get(period.id)
    current = preview_period(me.company)
    preview_id = current.id if current else None
    if not sections and not settlement and period.id != preview_id:
        raise NotFound()
    paid_as = _paid_as([period.id], me).get(period.id)
    return _summary(period, sections, paid_as, settlement,
        statements([settlement] if settlement else []))


def _people(portal, ids):
    """{distributor id: (number, name, in the own downline)} of ids.

    Only the partner and the members of the own downline are named; a
    partner who has since left the downline is shown without number or
    name (ADR 0033)."""
    Distributor = portal.pool.get('mlm.distributor')
    me = portal.distributor
    result = {}
    for distributor in Distributor.browse(sorted(ids)):
        visible = (distributor.path or '').startswith(me.path or '\0')
        result[distributor.id] = (
            distributor.number if visible else None,
            distributor.party.name if visible else None,
            visible and distributor.id != me.id)
    return result


def _line_rows(portal, period, offset, limit):
    "The explained rows of a page of the partner's lines of period"
    pool = portal.pool
    Line = pool.get('mlm.commission.line')
    me = portal.distributor
    lines = Line.search([
            ('period', '=', period.id),
            ('beneficiary', '=', me.id),
            ], order=[('order_date', 'ASC'), ('id', 'ASC')],
        offset=offset, limit=limit)
    components = dict(Line.fields_get(['component'])['component']
        ['selection'])
    paths = {line.id: [int(i) for i in (line.path or '').split('/') if i]
        for line in lines}
    people = _people(portal, {i for p in paths.values() for i in p}
        | {l.source_distributor.id for l in lines if l.source_distributor})
    rows = []
    for line in lines:
        source = line.source_distributor
        source_person = people.get(source.id) if source else None
        volume = line.source_volume
        customer = None
        if volume and volume.customer_order and source_person \
                and source_person[0]:
            customer = volume.party.name
        rows.append({
                'line': line,
                'component': components.get(line.component, line.component),
                'source': source_person,
                'source_id': source.id if source else None,
                'own_order': bool(volume and not volume.customer_order),
                'customer': customer,
                'path': _shortened([(i, people.get(i, (None, None, False)))
                    for i in paths[line.id]]),
                'clawback': line.kind == 'clawback',
                'origin': line.origin_period,
                })
    return rows


def _labels(pool):
    "The state names in the language of the request"
    Period = pool.get('mlm.commission.period')
    Settlement = pool.get('mlm.commission.settlement')
    Line = pool.get('mlm.commission.line')
    return {
        'bases': dict(Line.fields_get(['basis'])['basis']['selection']),
        'period_states': dict(
            Period.fields_get(['state'])['state']['selection']),
        'settlement_states': dict(
            Settlement.fields_get(['state'])['state']['selection']),
        }


@route('/commissions')
def commissions(portal):
    _require(portal.pool)
    return portal.render('commissions.html', periods=my_periods(portal),
        **_labels(portal.pool))


@route('/commissions/<period_id>')
def commission_period(portal, period_id):
    _require(portal.pool)
    summary = _period(portal, period_id)
    total = summary['count']
    pages = max(math.ceil(total / LINES_PER_PAGE), 1)
    page = min(max(portal.int_arg('page', 1) or 1, 1), pages)
    rows = _line_rows(portal, summary['period'],
        (page - 1) * LINES_PER_PAGE, LINES_PER_PAGE)
    run = latest_run(summary['period']) if summary['preview'] else None
    return portal.render('commission_period.html', summary=summary,
        run=run, rows=rows, page=page, pages=pages, **_labels(portal.pool))


@route('/statements/<settlement_id>.pdf')
def statement(portal, settlement_id):
    "The stored PDF statement of an own final settlement"
    _require(portal.pool)
    Settlement = portal.pool.get('mlm.commission.settlement')
    found = Settlement.search([
            ('id', '=', _int(settlement_id)),
            ('distributor', '=', portal.distributor.id),
            ], limit=1)
    stored = statements(found)
    if not stored:
        raise NotFound()
    attachment, = stored.values()
    if attachment.data is None:
        # the record exists but its file is missing from the filestore
        logger.warning("statement %s of settlement %s has no data",
            attachment.id, settlement_id)
        raise NotFound()
    return _file(attachment.data, attachment.name, 'application/pdf')


def _shortened(path, ends=2):
    """The path with its middle replaced by '… n …' when it is long.

    A line from deep in a downline names every partner in between; the
    first and last ones explain it, the count says how many are left out."""
    if len(path) <= 2 * ends + 1:
        return path
    hidden = len(path) - 2 * ends
    return path[:ends] + [(None, ('… %d …' % hidden, '', True))] + path[-ends:]
