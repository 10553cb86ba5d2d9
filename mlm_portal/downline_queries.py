# This file is part of the MLM suite. See LICENSE for details.
"""The queries of the dashboard and the downline pages.

Their cost must not grow with the size of the downline (ADR 0034): the
counts come from the precomputed downline statistics of mlm_network, and
the first pages from a walk down the sponsor tree, level by level, which
reads only the levels the page needs."""
from sql import Null
from sql.aggregate import Count
from sql.operators import ILike

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

# The walk stops after this many levels or sponsor ids and the rest of the
# page is read with one path prefix query: a chain of thousands of levels
# or a sparse filter would otherwise cost a query per level.
WALK_LEVELS = 30
WALK_MEMBERS = 10000


def latest_record(distributor):
    "The latest computed rank record of distributor (None if none)"
    RankRecord = Pool().get('mlm.rank.record')
    # records of an open period are not computed yet
    records = RankRecord.search([
            ('distributor', '=', distributor.id),
            ('paid_as_rank', '!=', None),
            ], order=[('period_start', 'DESC')], limit=1)
    return records[0] if records else None


def _execute(cursor, query):
    """Execute a path prefix query.

    On PostgreSQL the statement is never prepared: a generic plan of
    ``LIKE $1`` cannot use the prefix index."""
    if backend.name == 'postgresql':
        cursor.execute(*query, prepare=False)
    else:
        cursor.execute(*query)


def _prefix_where(table, path):
    "The rows below path and the row of path itself"
    from mlm_network.distributor import path_prefix_where
    return path_prefix_where(table.path, path, table.depth)


def _live_statuses(distributor):
    "Members per status of the downline, counted on the tree"
    Distributor = Pool().get('mlm.distributor')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    _execute(cursor, table.select(table.status, Count(),
            where=_prefix_where(table, distributor.path)
            & (table.id != distributor.id),
            group_by=[table.status]))
    return {s: n for s, n in cursor if n}


def downline_counts(distributor, since):
    """Size, new partners since date and members per status of the downline

    The members per status are precomputed; the new partners are counted
    through the join date index, so only the partners of the company who
    joined since the date are read."""
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Statistics = pool.get('mlm.distributor.downline_statistics')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    stored = Statistics.counts([distributor.id])
    if stored is None:
        statuses = _live_statuses(distributor)
    else:
        statuses = {s: n for s, n in stored[distributor.id].items() if n}
    # without "id != distributor" the count is an index-only scan
    _execute(cursor, table.select(Count(),
            where=(table.join_date >= since)
            & _prefix_where(table, distributor.path)))
    new, = cursor.fetchone()
    if distributor.join_date >= since:
        new -= 1
    cursor.execute(*table.select(Count(),
            where=(table.sponsor == distributor.id)))
    personal, = cursor.fetchone()
    return {
        'size': sum(statuses.values()),
        'statuses': statuses,
        'new': new,
        'personal': personal,
        }


def latest_records(distributor_ids):
    """Map distributor id to the values of its latest computed rank record:
    {'paid_as_rank.': {'name': ...} or None, 'pv': ..., 'gv': ...}"""
    pool = Pool()
    RankRecord = pool.get('mlm.rank.record')
    record = RankRecord.__table__()
    cursor = Transaction().connection.cursor()
    if not distributor_ids:
        return {}
    # an index scan of the (distributor, period_start) unique constraint
    cursor.execute(*record.select(record.id, record.distributor,
            where=record.distributor.in_(distributor_ids)
            & (record.paid_as_rank != Null),
            order_by=[record.distributor.asc, record.period_start.desc]))
    latest = {}
    for record_id, distributor_id in cursor:
        latest.setdefault(distributor_id, record_id)
    return {r['distributor']: r for r in RankRecord.read(
            list(latest.values()),
            ['distributor', 'paid_as_rank.name', 'pv', 'gv'])}


def volumes(record):
    "The personal and group volume of latest_records' values"
    return (record['pv'], record['gv']) if record else (None, None)


COLUMNS = ['id', 'number', 'party', 'depth', 'status', 'join_date']


def _columns(table):
    return [getattr(table, c) for c in COLUMNS]


def _search_lines(me, filters, offset, limit):
    "Return (total, lines) of a search by name or number: path prefix"
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Party = pool.get('party.party')
    table = Distributor.__table__()
    party = Party.__table__()
    cursor = Transaction().connection.cursor()
    pattern = '%' + filters['q'].replace('\\', '\\\\').replace(
        '%', '\\%').replace('_', '\\_') + '%'
    where = (_prefix_where(table, me.path) & (table.id != me.id)
        & (ILike(table.number, pattern, escape='\\')
            | ILike(party.name, pattern, escape='\\')))
    if filters['status']:
        where &= table.status == filters['status']
    if filters['level']:
        where &= table.depth == me.depth + filters['level']
    query = table.join(party, condition=party.id == table.party)
    _execute(cursor, query.select(Count(), where=where))
    total, = cursor.fetchone()
    lines = []
    if limit:
        _execute(cursor, query.select(*_columns(table), where=where,
                order_by=[table.depth.asc, table.number.asc],
                limit=limit, offset=offset))
        lines = cursor.fetchall()
    return total, lines


def _deeper_lines(me, status, level, offset, limit):
    """Lines of the downline from level on, in (level, number) order, read
    with the path prefix"""
    Distributor = Pool().get('mlm.distributor')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    where = (_prefix_where(table, me.path)
        & (table.depth >= me.depth + level))
    if status:
        where &= table.status == status
    _execute(cursor, table.select(*_columns(table), where=where,
            order_by=[table.depth.asc, table.number.asc],
            limit=limit, offset=offset))
    return cursor.fetchall()


def _levels(me, last=None):
    """Yield (level, sponsor ids, [(id, status)]) level by level.

    The walk ends below the last level, at the bottom of the downline or
    when its budget is spent; it then yields (level, None, None) for the
    first level it did not read."""
    Distributor = Pool().get('mlm.distributor')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    sponsors, level, read = [me.id], 0, 0
    while sponsors:
        level += 1
        if last is not None and level > last:
            return
        if level > WALK_LEVELS or read + len(sponsors) > WALK_MEMBERS:
            yield level, None, None
            return
        cursor.execute(*table.select(table.id, table.status,
                where=table.sponsor.in_(sponsors)))
        members = cursor.fetchall()
        read += len(sponsors)
        yield level, sponsors, members
        sponsors = [i for i, _ in members]


def _level_lines(sponsors, status, offset, limit):
    "Lines of the members of sponsors in number order"
    Distributor = Pool().get('mlm.distributor')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    where = table.sponsor.in_(sponsors)
    if status:
        where &= table.status == status
    cursor.execute(*table.select(*_columns(table), where=where,
            order_by=[table.number.asc], limit=limit, offset=offset))
    return cursor.fetchall()


def _walk_lines(me, status, offset, limit):
    "Lines of the page of the whole downline, walking level by level"
    lines = []
    for level, sponsors, members in _levels(me):
        if sponsors is None:
            lines += _deeper_lines(me, status, level, offset,
                limit - len(lines))
            break
        size = sum(1 for _, s in members if not status or s == status)
        if offset >= size:
            offset -= size
            continue
        lines += _level_lines(sponsors, status, offset, limit - len(lines))
        offset = 0
        if len(lines) >= limit:
            break
    return lines


def _level_page(me, status, level, offset, limit):
    "Return (total, lines) of one level of the downline"
    for depth, sponsors, members in _levels(me, last=level):
        if sponsors is None:
            break
        if depth == level:
            total = sum(1 for _, s in members if not status or s == status)
            lines = _level_lines(sponsors, status, offset, limit) if (
                limit and offset < total) else []
            return total, lines
    else:
        return 0, []
    # too deep or too wide to walk: on the path prefix
    Distributor = Pool().get('mlm.distributor')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    where = (_prefix_where(table, me.path)
        & (table.depth == me.depth + level))
    if status:
        where &= table.status == status
    _execute(cursor, table.select(Count(), where=where))
    total, = cursor.fetchone()
    lines = []
    if limit:
        _execute(cursor, table.select(*_columns(table), where=where,
                order_by=[table.number.asc], limit=limit, offset=offset))
        lines = cursor.fetchall()
    return total, lines


def downline_page(me, filters, offset, limit, counts=None):
    """Return (total, rows) of the downline of me matching filters, in
    (level, number) order.

    counts are the downline_counts of me: without a search or a level the
    total is theirs and no row outside the page is counted."""
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Party = pool.get('party.party')
    status = filters['status']
    if filters['q']:
        total, lines = _search_lines(me, filters, offset, limit)
    elif filters['level']:
        total, lines = _level_page(me, status, filters['level'],
            offset, limit)
    else:
        if counts is None:
            statuses = _live_statuses(me)
        else:
            statuses = counts['statuses']
        total = (statuses.get(status, 0) if status
            else sum(statuses.values()))
        lines = _walk_lines(me, status, offset, limit) if (
            limit and offset < total) else []
    names = {p.id: p.name for p in Party.browse([line[2] for line in lines])}
    records = latest_records([line[0] for line in lines])
    statuses = dict(Distributor.fields_get(['status'])['status']['selection'])
    rows = []
    for id_, number, party_id, depth, status, join_date in lines:
        record = records.get(id_)
        pv, gv = volumes(record)
        rows.append({
                'id': id_, 'number': number, 'name': names.get(party_id, ''),
                'level': depth - me.depth,
                'rank': (record['paid_as_rank.'] or {}).get('name', '')
                if record else '',
                'pv': pv, 'gv': gv,
                'status': status,
                'status_string': statuses.get(status, status),
                'join_date': join_date,
                })
    return total, rows
