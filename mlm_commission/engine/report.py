"""Rendering period results: the stable ``--json`` document, text tables, explanations.

JSON format ``mlm-simulation/1`` (documented in docs/plans.md): money,
volumes and rates are decimal strings, partners and orders their ids, ranks
their names (null for none), lists in a defined order (partners by table
position, lines in canonical line order), so identical inputs give
byte-identical output.
"""
import json

import numpy as np

from .components.matrix import placement
from .dates import format_day
from .forests import sponsor_forest
from .lines import BASES, COMPONENTS, MATRIX_COMPONENT
from .money import format_cents, format_rate
from .tables import LEGS

FORMAT = 'mlm-simulation/1'
_CYCLES = BASES.index('cycles')


def simulation_json(plan_set, results, explain=None):
    """The whole simulation document (dict) for a list of :class:`PeriodResult`."""
    return {
        'format': FORMAT,
        'plan': plan_set.name,
        'currency': plan_set.currency,
        'explain': explain,
        'periods': [period_json(r, explain) for r in results],
    }


def dumps(document):
    """Serialise deterministically (fixed key order, 2-space indent, final newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + '\n'


def totals(result, focus=None):
    """Totals of a period in cents: payout, clawback, by component (of ``focus`` only if given)."""
    lines = result.lines
    if focus is not None:
        lines = lines.take(lines.beneficiary == focus)
    clawback = lines.reverses_period >= 0
    by_component = {}
    for code, name in enumerate(COMPONENTS):
        chosen = lines.component == code
        if chosen.any():
            by_component[name] = int(lines.amount[chosen].sum())
    return {
        'payout': int(lines.amount.sum()),
        'clawback': int(lines.amount[clawback].sum()),
        'by_component': by_component,
    }


def period_json(result, explain=None):
    """One period as a JSON-ready dict; ``explain`` (partner id) keeps only its rows and totals."""
    ids = result.partners.ids
    rank_names = result.plan_set.rank_names
    focus = None if explain is None else ids.index(explain)
    document = {
        'period': result.period.id,
        'start': format_day(result.period.start_day),
        'end': format_day(result.period.end_day),
        'plan_version': result.version.id,
        'company_volume': {'pv': format_cents(result.company_pv),
                           'cv': format_cents(result.company_cv)},
        'ranks': [_rank_row(result, i, rank_names) for i in _partner_rows(result, focus)],
        'lines': [_line_row(result, i, rank_names) for i in _line_rows(result, focus)],
        'carry': [_carry_row(result, i) for i in _carry_rows(result, focus)],
    }
    if result.version.matrix is not None:
        document['matrix'] = _matrix_rows(result, focus)
    summary = totals(result, focus)
    document['totals'] = {
        'payout': format_cents(summary['payout']),
        'clawback': format_cents(summary['clawback']),
        'by_component': {k: format_cents(v) for k, v in summary['by_component'].items()},
        'by_partner': _by_partner(result, focus),
    }
    return document


def _partner_rows(result, focus):
    if focus is not None:
        return [focus]
    return np.flatnonzero(result.present | (result.pv != 0)).tolist()


def _name(rank_names, rank):
    return rank_names[rank] if rank >= 0 else None


def _rank_row(result, i, rank_names):
    ranks = result.ranks
    return {
        'partner': result.partners.ids[i],
        'active': bool(result.active[i]),
        'pv': format_cents(result.pv[i]),
        'cv': format_cents(result.cv[i]),
        'gv': format_cents(result.gv[i]),
        'figures_rank': _name(rank_names, ranks.figures_rank[i]),
        'qualifying_gv': format_cents(ranks.qualifying_gv[i]),
        'qualified_legs': int(ranks.qualified_legs[i]),
        'qualified': _name(rank_names, ranks.qualified[i]),
        'paid_as': _name(rank_names, ranks.paid_as[i]),
        'highest': _name(rank_names, ranks.highest[i]),
    }


def _line_rows(result, focus):
    if focus is None:
        return range(len(result.lines))
    return np.flatnonzero(result.lines.beneficiary == focus).tolist()


def line_path(result, i):
    """Partner positions from the line's source partner up to its beneficiary.

    Lines with a source partner come from the sponsor line, or from the matrix.
    """
    lines = result.lines
    source, beneficiary = int(lines.source_partner[i]), int(lines.beneficiary[i])
    if source < 0:
        return []
    if lines.component[i] == MATRIX_COMPONENT:
        width = result.plan_set.versions[int(lines.version[i])].matrix.width
        forest = placement(result.partners, width)
    else:
        forest = sponsor_forest(result.partners)
    return forest.path(source, beneficiary)


def _line_row(result, i, rank_names):
    lines, ids = result.lines, result.partners.ids
    component = COMPONENTS[lines.component[i]]
    basis = BASES[lines.basis[i]]
    base = int(lines.base[i])
    reverses = int(lines.reverses_period[i])
    row = {
        'beneficiary': ids[lines.beneficiary[i]],
        'component': component,
        'kind': 'clawback' if reverses >= 0 else 'commission',
        'source_partner': ids[lines.source_partner[i]] if lines.source_partner[i] >= 0 else None,
        'source_order': (result.orders.ids[lines.source_order[i]]
                         if lines.source_order[i] >= 0 else None),
        'level': int(lines.level[i]),
        'paid_level': int(lines.paid_level[i]),
        'basis': basis,
        'base': str(base // 100) if lines.basis[i] == _CYCLES else format_cents(base),
        'rate': format_rate(lines.rate[i]),
        'amount': format_cents(lines.amount[i]),
        'amount_before_cap': format_cents(lines.column('uncapped')[i]),
        'rank': _name(rank_names, lines.rank[i]),
        'plan_version': result.plan_set.versions[lines.version[i]].id,
        'reverses_period': _period_id(result, reverses),
        'pool': None,
        'share': None,
        'path': [ids[p] for p in line_path(result, i)],
    }
    if component == 'pool':
        row['pool'] = result.version.pools[lines.paid_level[i] - 1].name
        row['share'] = f'{lines.weight[i]}/{lines.weight_total[i]}'
    return row


def _period_id(result, index):
    if index < 0:
        return None
    return result.state.period_ids[index]


def _carry_rows(result, focus):
    """Partners with any carry in, leg volume or carry out (or the focus partner)."""
    moving = np.any(result.carry_in != 0, axis=1) | np.any(result.carry_out != 0, axis=1)
    if result.legs is not None:
        moving |= np.any(result.legs != 0, axis=1)
    if focus is not None:
        return [focus] if result.legs is not None or moving[focus] else []
    return np.flatnonzero(moving).tolist()


def _carry_row(result, i):
    row = {'partner': result.partners.ids[i]}
    for leg, name in enumerate(LEGS):
        row[f'{name}_in'] = format_cents(result.carry_in[i, leg])
        row[f'{name}_volume'] = format_cents(result.legs[i, leg] if result.legs is not None else 0)
        row[f'{name}_out'] = format_cents(result.carry_out[i, leg])
    row['cycles'] = int(result.cycles[i]) if result.cycles is not None else 0
    return row


def _matrix_rows(result, focus):
    forest = placement(result.partners, result.version.matrix.width)
    ids = result.partners.ids
    rows = [focus] if focus is not None else range(len(ids))
    return [{'partner': ids[i],
             'parent': ids[forest.parent[i]] if forest.parent[i] >= 0 else None,
             'depth': int(forest.depth[i])}
            for i in rows]


def _by_partner(result, focus):
    lines = result.lines
    totals = np.zeros(len(result.partners), np.int64)
    np.add.at(totals, lines.beneficiary, lines.amount)
    earners = np.unique(lines.beneficiary)
    if focus is not None:
        earners = earners[earners == focus]
    return [{'partner': result.partners.ids[i], 'amount': format_cents(totals[i])}
            for i in earners]


def text_report(plan_set, results, explain=None):
    """Human-readable tables of every period (or one partner's explanation)."""
    out = [f'Plan: {plan_set.name} ({plan_set.currency})']
    for result in results:
        doc = period_json(result, explain)
        out.append('')
        out.append(f"Period {doc['period']} ({doc['start']} .. {doc['end']}), "
                   f"plan version {doc['plan_version']}, company volume "
                   f"PV {doc['company_volume']['pv']} CV {doc['company_volume']['cv']}")
        out.append('  Ranks')
        out.append(f"    {'partner':<12}{'active':<8}{'pv':>12}{'gv':>14}  "
                   f"{'qualified':<12}{'paid as':<12}{'highest':<12}")
        for row in doc['ranks']:
            out.append(f"    {row['partner']:<12}{'yes' if row['active'] else 'no':<8}"
                       f"{row['pv']:>12}{row['gv']:>14}  {row['qualified'] or '-':<12}"
                       f"{row['paid_as'] or '-':<12}{row['highest'] or '-':<12}")
            if explain:
                out.append(f"    towards {row['figures_rank']}: qualifying GV "
                           f"{row['qualifying_gv']}, qualified legs {row['qualified_legs']}")
        out.append('  Lines')
        for row in doc['lines']:
            out.append('    ' + (explain_line(row) if explain else _short_line(row)))
        if doc['carry']:
            out.append('  Binary carry (left in/volume/out | right in/volume/out, cycles)')
            for row in doc['carry']:
                out.append(f"    {row['partner']:<12}{row['left_in']:>12}{row['left_volume']:>12}"
                           f"{row['left_out']:>12} |{row['right_in']:>12}"
                           f"{row['right_volume']:>12}{row['right_out']:>12}  {row['cycles']}")
        totals_doc = doc['totals']
        out.append(f"  Totals: payout {totals_doc['payout']}, clawback {totals_doc['clawback']}")
        for name, amount in totals_doc['by_component'].items():
            out.append(f'    {name:<18}{amount:>14}')
    return '\n'.join(out) + '\n'


def _short_line(row):
    source = f"{row['source_partner'] or '-'}/{row['source_order'] or '-'}"
    return (f"{row['beneficiary']:<12}{row['component']:<18}{source:<20}"
            f"L{row['level']:<4}P{row['paid_level']:<4}{row['base']:>14} x {row['rate']:<10}"
            f"{row['amount']:>12}{'  (clawback)' if row['kind'] == 'clawback' else ''}")


def explain_line(row):
    """One sentence explaining a JSON line row."""
    text = (f"{row['component']}: {row['amount']} = {row['basis']} {row['base']} x "
            f"{row['rate']}")
    if row['amount'] != row['amount_before_cap']:
        text += f" (before payout cap {row['amount_before_cap']})"
    if row['source_order']:
        text += f" on order {row['source_order']}"
    if row['source_partner']:
        text += f" of {row['source_partner']}"
    if row['pool']:
        text += f" from pool {row['pool']} (share {row['share']})"
    text += (f"; level {row['level']}, paid level {row['paid_level']}, rank "
             f"{row['rank'] or '-'}, plan version {row['plan_version']}")
    if row['kind'] == 'clawback':
        text += f"; clawback of period {row['reverses_period']}"
    if row['path']:
        text += '; path ' + ' -> '.join(row['path'])
    return text
