# This file is part of the MLM suite. See LICENSE for details.
"""Precomputed downline statistics: members per status below each partner.

One row per distributor, kept exact in the transaction of every ORM change
of the sponsor tree (join, move, status change, deletion) and rebuilt
set-based after bulk writes that bypass the ORM (partner import) and by a
nightly cron that repairs and logs any drift.  See ADR 0034."""
import logging
from collections import Counter, defaultdict

from sql import Column
from sql.aggregate import Count, Max
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import Index, ModelSQL, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import bulk
from .distributor import STATUSES, path_prefix_where
from .tree import path_ids

__all__ = ['refresh_downline_stats', 'COLUMNS']
logger = logging.getLogger(__name__)

# the column counting the members of each status
COLUMNS = {status: '%s_members' % status for status, _ in STATUSES}


class DownlineStatistics(ModelSQL):
    """Downline Statistics

    The members below a distributor in the current sponsor tree, per
    status.  Written only by raw SQL of this module."""
    __string__ = "Downline Statistics"
    __name__ = 'mlm.distributor.downline_statistics'

    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, ondelete='CASCADE')
    applicant_members = fields.Integer("Applicants")
    active_members = fields.Integer("Active")
    inactive_members = fields.Integer("Inactive")
    suspended_members = fields.Integer("Suspended")
    terminated_members = fields.Integer("Terminated")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('distributor_unique', Unique(t, t.distributor),
                'mlm_network.msg_downline_statistics_unique'),
            ]

    @classmethod
    def counts(cls, distributor_ids):
        """Return {id: {status: members}} of the downline of the ids.

        None when the statistics are not maintained for every distributor
        (rows written by a bulk load that was not followed by a refresh):
        the caller then counts on the tree itself."""
        if not cls.complete():
            return None
        result = {i: dict(members)
            for i, members in cls._subtrees(distributor_ids).items()}
        if len(result) < len(set(distributor_ids)):
            return None
        return result

    @classmethod
    def complete(cls):
        "Whether the newest distributor has its row (two index look-ups)"
        Distributor = Pool().get('mlm.distributor')
        table = cls.__table__()
        distributor = Distributor.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*distributor.select(Max(distributor.id)))
        newest, = cursor.fetchone()
        cursor.execute(*table.select(Max(table.distributor)))
        last, = cursor.fetchone()
        return newest == last

    @classmethod
    def refresh(cls):
        "Rebuild every row; log the rows that had drifted (cron)"
        corrected = refresh_downline_stats()
        if corrected:
            logger.warning(
                'downline statistics: %s rows corrected', corrected)

    # maintenance -----------------------------------------------------------

    @classmethod
    def _positions(cls, distributor_ids):
        "Return {id: (path, status)} read from the table"
        Distributor = Pool().get('mlm.distributor')
        table = Distributor.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(distributor_ids):
            cursor.execute(*table.select(
                    table.id, table.path, table.status,
                    where=table.id.in_(list(sub_ids))))
            result.update((i, (p or '', s)) for i, p, s in cursor)
        return result

    @classmethod
    def _subtrees(cls, distributor_ids):
        "Return {id: Counter of status} of the stored rows of ids"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(distributor_ids):
            cursor.execute(*table.select(
                    table.distributor,
                    *[Column(table, c) for c in COLUMNS.values()],
                    where=table.distributor.in_(list(sub_ids))))
            for distributor_id, *members in cursor:
                result[distributor_id] = Counter(dict(zip(COLUMNS, members)))
        return result

    @classmethod
    def _insert(cls, distributor_ids):
        "Insert the empty rows of new distributors"
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        columns = [table.distributor, table.create_uid, table.create_date] + [
            Column(table, c) for c in COLUMNS.values()]
        for sub_ids in grouped_slice(distributor_ids):
            cursor.execute(*table.insert(columns, [
                        [i, transaction.user, CurrentTimestamp()]
                        + [0] * len(COLUMNS) for i in sub_ids]))

    @classmethod
    def _apply(cls, deltas):
        """Add deltas {distributor id: Counter of status} to the rows.

        One UPDATE per distinct delta: a join or a move changes the whole
        upline by the same amounts."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        groups = defaultdict(list)
        for distributor_id, delta in deltas.items():
            key = tuple(sorted((s, n) for s, n in delta.items() if n))
            if key:
                groups[key].append(distributor_id)
        for key, ids in groups.items():
            columns = [Column(table, COLUMNS[s]) for s, _ in key]
            values = [Column(table, COLUMNS[s]) + n for s, n in key]
            for sub_ids in grouped_slice(sorted(ids)):
                cursor.execute(*table.update(columns, values,
                        where=table.distributor.in_(list(sub_ids))))

    @classmethod
    def changed(cls, before, after):
        """Update the rows after distributors moved or changed status.

        before and after are {id: (path, status)}: the distributor with its
        own downline leaves the old upline and joins the new one; the
        upline both have in common keeps its figures but the status."""
        subtrees = cls._subtrees(
            [i for i in after if before.get(i) != after[i]])
        deltas = defaultdict(Counter)
        for distributor_id, (path, status) in after.items():
            if distributor_id not in before:
                old_upline, old_status = [], None
            else:
                old_path, old_status = before[distributor_id]
                if (old_path, old_status) == (path, status):
                    continue
                old_upline = path_ids(old_path)[:-1]
            members = subtrees.get(distributor_id, Counter())
            for ancestor in old_upline:
                deltas[ancestor][old_status] -= 1
                deltas[ancestor].subtract(members)
            for ancestor in path_ids(path)[:-1]:
                deltas[ancestor][status] += 1
                deltas[ancestor].update(members)
        cls._apply(deltas)

    @classmethod
    def left(cls, before):
        "Update the rows after the distributors of before were deleted"
        deltas = defaultdict(Counter)
        subtrees = cls._subtrees(list(before))
        for distributor_id, (path, status) in before.items():
            members = subtrees.get(distributor_id, Counter())
            for ancestor in path_ids(path)[:-1]:
                deltas[ancestor][status] -= 1
                deltas[ancestor].subtract(members)
        cls._apply(deltas)


class Distributor(metaclass=PoolMeta):
    __name__ = 'mlm.distributor'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if backend.name == 'postgresql':
            # replaced by the join date index of __register__
            t = cls.__table__()
            cls._sql_indexes.discard(Index(t, (t.join_date, Index.Range())))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if backend.name != 'postgresql':
            return
        cursor = Transaction().connection.cursor()
        cursor.execute("SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'mlm_distributor' "
            "AND column_name = 'path_key'")
        # the partners of a downline who joined since a date are then
        # counted by an index-only scan of the company's recent joins
        columns = ('join_date, path_key varchar_pattern_ops'
            if cursor.fetchone() else 'join_date')
        cursor.execute('CREATE INDEX IF NOT EXISTS mlm_distributor_join_date '
            'ON mlm_distributor (%s)' % columns)

    @classmethod
    def create(cls, vlist):
        Statistics = Pool().get('mlm.distributor.downline_statistics')
        distributors = super().create(vlist)
        ids = [d.id for d in distributors]
        Statistics._insert(ids)
        Statistics.changed({}, Statistics._positions(ids))
        return distributors

    @classmethod
    def write(cls, *args):
        Statistics = Pool().get('mlm.distributor.downline_statistics')
        actions = iter(args)
        ids = set()
        for distributors, values in zip(actions, actions):
            if {'sponsor', 'status'} & set(values):
                ids.update(d.id for d in distributors)
        before = Statistics._positions(ids)
        super().write(*args)
        if ids:
            Statistics.changed(before, Statistics._positions(ids))

    @classmethod
    def get_counts(cls, distributors, names):
        Statistics = Pool().get('mlm.distributor.downline_statistics')
        counts = None
        if 'downline_size' in names:
            counts = Statistics.counts([d.id for d in distributors])
        if counts is None:
            return super().get_counts(distributors, names)
        others = [n for n in names if n != 'downline_size']
        result = super().get_counts(distributors, others) if others else {}
        result['downline_size'] = {
            i: sum(members.values()) for i, members in counts.items()}
        return result

    @classmethod
    def delete(cls, distributors):
        Statistics = Pool().get('mlm.distributor.downline_statistics')
        before = Statistics._positions([d.id for d in distributors])
        Statistics.left(before)
        super().delete(distributors)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mlm.distributor.downline_statistics|refresh',
                "Refresh Downline Statistics"))


def refresh_downline_stats(distributor_ids=None):
    """Recompute the statistics rows and return how many were rewritten.

    Without ids every row is rebuilt from the sponsor column in one pass
    (bottom-up sums by depth); with ids only theirs, each counted on the
    tree.  Only missing or differing rows are written.  To be called after
    writes that bypass the ORM (partner import)."""
    pool = Pool()
    Statistics = pool.get('mlm.distributor.downline_statistics')
    if distributor_ids is None:
        rows, replaced, gone = _compare_all()
    else:
        computed = _computed(distributor_ids)
        stored = _stored(computed)
        rows = {i: members for i, members in computed.items()
            if stored.get(i) != members}
        replaced, gone = [i for i in rows if i in stored], []
    table = Statistics.__table__()
    cursor = Transaction().connection.cursor()
    for sub_ids in grouped_slice(sorted(replaced + gone)):
        cursor.execute(*table.delete(
                where=table.distributor.in_(list(sub_ids))))
    with bulk.loading([table._name], len(rows)):
        bulk.write_rows(table._name,
            ['distributor'] + list(COLUMNS.values()),
            ((i,) + rows[i] for i in sorted(rows)))
    return len(rows) + len(gone)


def _integers(columns, table, order):
    """Return the integer columns (SQL expressions) of the rows of table as
    an (n, len(columns)) int64 array, ordered by order.

    On PostgreSQL as one text aggregated by the server: psycopg converts
    about 100,000 values per second one by one, numpy parses the text at
    once."""
    import numpy as np
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        cursor.execute("SELECT string_agg(concat_ws(' ', %s), ' ' "
            'ORDER BY %s) FROM "%s"' % (', '.join(columns), order, table))
        text, = cursor.fetchone()
        values = np.fromstring(text or '', dtype=np.int64, sep=' ')
    else:
        cursor.execute('SELECT %s FROM "%s" ORDER BY %s'
            % (', '.join(columns), table, order))
        values = np.array(cursor.fetchall(), dtype=np.int64)
    return values.reshape(-1, len(columns))


def _compare_all():
    """Return the rows to write {id: members}, the ids whose stored row is
    replaced and the ids of rows without distributor"""
    import numpy as np
    Statistics = Pool().get('mlm.distributor.downline_statistics')
    ids, members = _computed_all()
    stored = _integers(['distributor'] + list(COLUMNS.values()),
        Statistics._table, 'distributor')
    stored_ids, stored_members = stored[:, 0], stored[:, 1:]
    found = np.searchsorted(stored_ids, ids)
    found = np.clip(found, 0, max(len(stored_ids) - 1, 0))
    present = np.zeros(len(ids), bool)
    if len(stored_ids):
        present = stored_ids[found] == ids
    same = present.copy()
    same[present] = (stored_members[found[present]]
        == members[present]).all(axis=1)
    stale = ~same
    rows = dict(zip(ids[stale].tolist(),
            map(tuple, members[stale].tolist())))
    replaced = ids[stale & present].tolist()
    gone = stored_ids[~np.isin(stored_ids, ids)].tolist()
    return rows, replaced, gone


def _stored(computed=None):
    "Return {id: members tuple} of the rows (of the ids of computed)"
    Statistics = Pool().get('mlm.distributor.downline_statistics')
    table = Statistics.__table__()
    cursor = Transaction().connection.cursor()
    columns = [table.distributor] + [
        Column(table, c) for c in COLUMNS.values()]
    result = {}
    if computed is None:
        cursor.execute(*table.select(*columns))
        result.update((r[0], tuple(r[1:])) for r in cursor)
    else:
        for sub_ids in grouped_slice(list(computed)):
            cursor.execute(*table.select(*columns,
                    where=table.distributor.in_(list(sub_ids))))
            result.update((r[0], tuple(r[1:])) for r in cursor)
    return result


def _computed(distributor_ids):
    "Return {id: members tuple} counted on the tree for each id"
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Statistics = pool.get('mlm.distributor.downline_statistics')
    table = Distributor.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    for distributor_id, (path, _) in Statistics._positions(
            distributor_ids).items():
        query = table.select(table.status, Count(table.id),
            where=path_prefix_where(table.path, path, table.depth)
            & (table.id != distributor_id),
            group_by=[table.status])
        if backend.name == 'postgresql':
            # a generic plan of LIKE $1 cannot use the prefix index
            cursor.execute(*query, prepare=False)
        else:
            cursor.execute(*query)
        members = dict(cursor)
        result[distributor_id] = tuple(members.get(s, 0) for s in COLUMNS)
    return result


def _computed_all():
    """Return the ids (ascending) and their members per status as arrays.

    Each level, deepest first, adds its members and their own downlines to
    their sponsors: one vectorised step per level."""
    import numpy as np
    Distributor = Pool().get('mlm.distributor')
    status_code = ' '.join("WHEN '%s' THEN %s" % (s, k)
        for k, s in enumerate(COLUMNS))
    rows = _integers(['id', 'COALESCE(sponsor, 0)',
            'CASE status %s END' % status_code, 'COALESCE(depth, 0)'],
        Distributor._table, 'id')
    n = len(rows)
    ids, sponsors, statuses, depths = rows.T
    members = np.zeros((n, len(COLUMNS)), np.int64)
    if not n:
        return ids, members
    own = np.zeros((n, len(COLUMNS)), np.int64)
    own[np.arange(n), statuses] = 1
    parents = np.searchsorted(ids, sponsors)
    parents[sponsors == 0] = -1
    order = np.argsort(-depths, kind='stable')
    bounds = np.flatnonzero(np.diff(depths[order])) + 1
    for level in np.split(order, bounds):
        level = level[parents[level] >= 0]
        np.add.at(members, parents[level], members[level] + own[level])
    return ids, members
