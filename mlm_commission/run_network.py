# This file is part of the MLM suite. See LICENSE for details.
"""Network inputs of a commission run beyond the sponsor tree (ADR 0048).

* :func:`placements`: the binary and matrix placement trees of the company
  as of a date, as the engine's partner columns;
* :func:`advancement_history`: the rank-advancement state (streak of
  qualified ranks and bonuses already paid) carried from the earlier
  periods, which a run of one period does not compute itself.

Set-based: one query per structure (plus one for its later moves), one per
earlier period of the streak window, one for the paid bonuses; ids are
mapped to partner positions with numpy.
"""
from sql import Null
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import PeriodError
from .run_text import read_rows

UNPLACED = -1


def placements(company, date, ids, positions, plan_set):
    """(binary_parent int32[N], binary_leg int8[N], matrix_parent int32[N])
    of the partners ids on date.

    positions maps distributor ids to partner positions (-1 unknown).  A
    structure is read only when a version of plan_set has its component;
    partners without a placement on date (and roots) get -1: the engine
    treats them as binary roots and places them in the matrix itself
    (breadth-first below their sponsor)."""
    import numpy as np
    n = len(ids)
    binary_parent = np.full(n, UNPLACED, np.int32)
    binary_leg = np.full(n, UNPLACED, np.int8)
    matrix_parent = np.full(n, UNPLACED, np.int32)
    versions = plan_set.versions
    if any(v.binary is not None for v in versions):
        structure = _structure(company, 'binary', plan_set)
        if structure is not None:
            binary_parent, leg = _tree_at(structure, date, positions, n)
            binary_leg = leg.astype(np.int8)
    if any(v.matrix is not None for v in versions):
        structure = _structure(company, 'matrix', plan_set)
        if structure is not None:
            matrix_parent, _ = _tree_at(structure, date, positions, n)
    return binary_parent, binary_leg, matrix_parent


def _structure(company, type_, plan_set):
    """The active structure of type_ of company (None if there is none).

    The plan format names no structure: a single one is taken; among
    several matrices the one with the plan's width; otherwise the run
    is refused."""
    Structure = Pool().get('mlm.structure')
    structures = Structure.search([
            ('company', '=', company.id),
            ('type', '=', type_),
            ], order=[('id', 'ASC')])
    if len(structures) > 1 and type_ == 'matrix':
        widths = {v.matrix.width for v in plan_set.versions
            if v.matrix is not None}
        structures = [s for s in structures if s.width in widths] or (
            structures)
    if len(structures) > 1:
        raise PeriodError(gettext(
                'mlm_commission.msg_run_structure_ambiguous',
                type=type_, plan=plan_set.name,
                structures=', '.join(s.rec_name for s in structures)))
    return structures[0] if structures else None


def _tree_at(structure, date, positions, n):
    """(parent int32[N], slot int32[N]) partner positions of structure on
    date: the current placements corrected by their first move after date
    (whose old parent/position is the slot on date, none if the placement
    was created later)."""
    import numpy as np
    pool = Pool()
    Placement = pool.get('mlm.placement')
    Event = pool.get('mlm.genealogy.event')
    placement = Placement.__table__()
    event = Event.__table__()
    rows = read_rows(placement.select(
            placement.id, placement.distributor,
            Coalesce(placement.parent, 0), placement.position,
            where=placement.structure == structure.id,
            order_by=[placement.id.asc]),
        ['int', 'int', 'int', 'int'])
    result_parent = np.full(n, UNPLACED, np.int32)
    result_slot = np.full(n, UNPLACED, np.int32)
    if not rows:
        return result_parent, result_slot
    node, distributor, parent, slot = _int_columns(rows, 4)
    moves = read_rows(event.select(
            event.placement, Coalesce(event.old_parent, 0),
            Coalesce(event.old_position, UNPLACED),
            where=(event.kind == 'placement')
            & (event.structure == structure.id)
            & (event.valid_from > date) & (event.placement != Null),
            order_by=[event.valid_from.asc, event.id.asc]),
        ['int', 'int', 'int'])
    if moves:
        moved, old_parent, old_slot = _int_columns(moves, 3)
        # the first move after date of each placement
        moved, first = np.unique(moved, return_index=True)
        at = _index_in(node, moved)
        known = at >= 0
        parent[at[known]] = old_parent[first[known]]
        slot[at[known]] = old_slot[first[known]]
    # parent placement -> its distributor -> its partner position
    parent_at = _index_in(node, parent)
    placed = (parent_at >= 0) & (slot >= 0)
    node_position = positions(distributor)
    parent_position = positions(
        np.where(placed, distributor[np.maximum(parent_at, 0)], 0))
    placed &= (node_position >= 0) & (parent_position >= 0)
    result_parent[node_position[placed]] = parent_position[placed]
    result_slot[node_position[placed]] = slot[placed]
    return result_parent, result_slot


def _int_columns(rows, width):
    "The int64 columns of the rows (tuples of width integers)"
    import numpy as np
    return np.array(rows, np.int64).reshape(-1, width).T


def _index_in(sorted_ids, values):
    "int64 index of each of values in sorted_ids (-1 if absent)"
    import numpy as np
    at = np.searchsorted(sorted_ids, values)
    at = np.minimum(at, len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == values, at, -1)


def advancement_history(company, period, plan_set, ids, positions):
    """(streak int32[R, N], advanced bool[R, N]) before period, or None
    when the plan version of period's end pays no rank advancement.

    streak[r]: consecutive periods right before period in which the
    partner's computed rank was r or higher (counted up to hold_periods - 1
    periods back: the bonus is due at hold_periods); advanced[r]: the bonus
    of rank r was written in an earlier period, or r is at most the highest
    rank reached before the company's first period (the engine's rule for
    ranks reached before its history)."""
    import numpy as np
    version = plan_set.version_at(period.end_date)
    if version is None or version.rank_advancement is None:
        return None
    rank_names = list(plan_set.rank_names)
    n = len(ids)
    index_of = _plan_rank_index(company, rank_names)
    earlier = _earlier_periods(company, period)
    streak = np.zeros((len(rank_names), n), np.int32)
    going = np.ones((len(rank_names), n), bool)
    ranks = np.arange(len(rank_names))[:, None]
    for previous in earlier[:version.rank_advancement.hold_periods - 1]:
        qualified = _computed_ranks(company, previous, index_of, positions, n)
        going &= ranks <= qualified[None, :]
        streak += going
    advanced = ranks <= _highest_before(
        company, earlier[-1] if earlier else period, index_of, positions,
        n)[None, :]
    _mark_paid(advanced, company, period, rank_names, positions)
    return streak, advanced


def _plan_rank_index(company, rank_names):
    """int16 array {mlm.rank id: plan rank index}: the highest rank of the
    plan at or below the rank's level (-1 below the plan's ladder)."""
    import numpy as np
    Rank = Pool().get('mlm.rank')
    with Transaction().set_context(active_test=False):
        ranks = Rank.search([('company', '=', company.id)])
    level_of = {r.code: r.level for r in ranks}
    ladder = [(level_of[name], i) for i, name in enumerate(rank_names)
        if name in level_of]
    index = np.full(max([r.id for r in ranks], default=0) + 1, -1, np.int16)
    for rank in ranks:
        below = [i for level, i in ladder if level <= rank.level]
        index[rank.id] = max(below, default=-1)
    return index


def _earlier_periods(company, period):
    "The company's periods before period, the latest first"
    Period = Pool().get('mlm.commission.period')
    return Period.search([
            ('company', '=', company.id),
            ('start_date', '<', period.start_date),
            ], order=[('start_date', 'DESC')])


def _rank_column(rows, index_of, positions, n):
    "int16[N] plan rank index per partner of the (distributor, rank) rows"
    import numpy as np
    result = np.full(n, -1, np.int16)
    if rows:
        distributor, rank = _int_columns(rows, 2)
        where = positions(distributor)
        found = where >= 0
        np.maximum.at(result, where[found], index_of[rank[found]])
    return result


def _computed_ranks(company, period, index_of, positions, n):
    "The plan rank index computed for each partner in period (-1 none)"
    return _record_ranks(company, 'computed_rank',
        lambda record: record.period_start == period.start_date,
        index_of, positions, n)


def _highest_before(company, first, index_of, positions, n):
    "The highest plan rank index reached before the period first"
    return _record_ranks(company, 'highest_rank',
        lambda record: record.period_end < first.start_date,
        index_of, positions, n)


def _record_ranks(company, column, period_clause, index_of, positions, n):
    """int16[N] the highest plan rank index of column (a rank of the rank
    records) per partner, over the records period_clause(table) selects"""
    RankRecord = Pool().get('mlm.rank.record')
    record = RankRecord.__table__()
    rank = getattr(record, column)
    rows = read_rows(record.select(record.distributor, rank,
            where=(record.company == company.id) & period_clause(record)
            & (rank != Null)),
        ['int', 'int'])
    return _rank_column(rows, index_of, positions, n)


def _mark_paid(advanced, company, period, rank_names, positions):
    """Set advanced[r, p] for the rank-advancement bonuses written in the
    periods before period: the rank by its name on the line (paid_level - 1
    for a rank the plan no longer has)."""
    import numpy as np
    pool = Pool()
    Line = pool.get('mlm.commission.line')
    Period = pool.get('mlm.commission.period')
    line = Line.__table__()
    earlier = Period.__table__()
    rows = read_rows(line.join(earlier,
            condition=line.period == earlier.id).select(
            line.beneficiary, line.rank, Coalesce(line.paid_level, 0),
            where=(line.company == company.id)
            & (line.component == 'rank_advancement')
            & (line.kind == 'commission')
            & (earlier.start_date < period.start_date)),
        ['int', 'text', 'int'])
    if not rows:
        return
    by_name = {name: i for i, name in enumerate(rank_names)}
    beneficiary = positions(np.array([r[0] for r in rows], np.int64))
    rank = np.array([by_name.get(r[1], r[2] - 1) for r in rows], np.int64)
    found = (beneficiary >= 0) & (rank >= 0) & (rank < len(rank_names))
    advanced[rank[found], beneficiary[found]] = True
