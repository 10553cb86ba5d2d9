"""Property tests: the vectorised engine equals the plain reference on random input.

Random sponsor trees and binary placements (the matrix placed by spillover),
statuses, overrides, previous highest ranks, orders over two periods with
partial returns, carry-in, and random plans of one or two versions built from
every component; both implementations must produce identical PV, GV,
qualified/paid-as/highest ranks, lines (every column, in canonical order) and
binary carry in every period.
"""
from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlm_commission.engine import load_plan, load_scenario, run_scenario
from mlm_commission.engine.lines import BASES, COLUMNS, COMPONENTS
from mlm_commission.engine.reference.period import run_scenario as reference_scenario

RANKS = ('R1', 'R2', 'R3')
COMPONENT_NAMES = ('stairstep', 'unilevel', 'binary', 'matrix', 'fast_start', 'matching',
                   'pools', 'rank_advancement', 'payout_cap')
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

money = st.integers(0, 200_000).map(lambda cents: f'{cents // 100}.{cents % 100:02d}')
rate = st.integers(0, 300_000).map(lambda micro: f'0.{micro:06d}')
rank = st.sampled_from(RANKS)


def rank_rules(draw):
    rules = []
    for name in RANKS:
        rule = {'name': name}
        if draw(st.booleans()):
            rule['min_pv'] = draw(money)
        if draw(st.booleans()):
            rule['min_gv'] = draw(money)
            if draw(st.booleans()):
                rule['max_leg_share'] = draw(st.sampled_from(['0.4', '0.5', '0.6']))
            if draw(st.booleans()):
                rule['strongest_leg_cap'] = draw(st.sampled_from(['0.3', '0.5']))
        if draw(st.booleans()):
            legs = {'count': draw(st.integers(0, 2))}
            if draw(st.booleans()):
                legs['min_rank'] = draw(rank)
            else:
                legs['min_volume'] = draw(money)
            rule['legs'] = legs
        rules.append(rule)
    return rules


def components(draw):
    chosen = draw(st.sets(st.sampled_from(COMPONENT_NAMES), min_size=1))
    result = {}
    ascending = sorted(draw(st.lists(rate, min_size=3, max_size=3)))
    if 'stairstep' in chosen or 'matching' in chosen:
        result['stairstep'] = {
            'volume': draw(st.sampled_from(['pv', 'cv'])),
            'variant': draw(st.sampled_from(['differential', 'tier_slot'])),
            'rates': dict(zip(RANKS, ascending))}
        if draw(st.booleans()):
            result['stairstep']['breakaway'] = {
                'rank': draw(rank), 'generations': draw(st.lists(rate, min_size=1, max_size=3))}
    if 'unilevel' in chosen:
        result['unilevel'] = {
            'compression': draw(st.sampled_from(['none', 'static', 'dynamic'])),
            'rates': {name: draw(st.lists(rate, min_size=1, max_size=4)) for name in RANKS
                      if draw(st.booleans())} or {'R1': ['0.05']}}
    if 'binary' in chosen:
        pairing = draw(st.sampled_from([
            {'type': 'fixed', 'left': '100', 'right': '150'},
            {'type': 'ratio', 'weak': '100', 'strong': '200'},
            {'type': 'weak_leg_percent', 'rate': '0.1'}]))
        binary = {'pairing': pairing, 'volume': draw(st.sampled_from(['pv', 'cv'])),
                  'flush_inactive': draw(st.booleans())}
        if pairing['type'] != 'weak_leg_percent':
            binary['cycle_value'] = draw(money)
            if draw(st.booleans()):
                binary['cycle_value_by_rank'] = {draw(rank): draw(money)}
        if draw(st.booleans()):
            binary['min_rank'] = draw(rank)
        if draw(st.booleans()):
            binary['strong_leg_carry_cap'] = draw(money)
        if draw(st.booleans()):
            cap = {'excess': draw(st.sampled_from(['flush', 'carry'])),
                   'max_earnings': draw(money)}
            if pairing['type'] != 'weak_leg_percent' and draw(st.booleans()):
                cap['max_cycles'] = draw(st.integers(0, 5))
            binary['cap'] = cap
        result['binary'] = binary
    if 'matrix' in chosen:
        result['matrix'] = {'width': draw(st.integers(1, 3)),
                            'rates': draw(st.lists(rate, min_size=1, max_size=4))}
    if 'fast_start' in chosen:
        result['fast_start'] = {'days': draw(st.integers(1, 60)),
                                'rates': draw(st.lists(rate, min_size=1, max_size=3))}
        if draw(st.booleans()):
            result['fast_start']['min_rank'] = draw(rank)
    if 'matching' in chosen:
        mode = draw(st.sampled_from(['level', 'generation']))
        result['matching'] = {'mode': mode, 'rates': draw(st.lists(rate, min_size=1, max_size=3)),
                              'components': ['stairstep']}
        if mode == 'generation':
            result['matching']['generation_rank'] = draw(rank)
        if 'binary' in result:
            result['matching']['components'].append('binary')
    if 'pools' in chosen:
        result['pools'] = [{'name': 'p', 'share': draw(rate), 'min_rank': draw(rank),
                            'split': 'shares', 'shares': {'R1': 1, 'R2': 2, 'R3': 3}}]
    if 'rank_advancement' in chosen:
        result['rank_advancement'] = {'bonuses': {draw(rank): draw(money)},
                                      'hold_periods': draw(st.integers(1, 2))}
    if 'payout_cap' in chosen:
        result['payout_cap'] = {'share': draw(rate)}
    return result


@st.composite
def plans(draw):
    version = {'id': 'v1', 'valid_from': '2024-01-01', 'ranks': rank_rules(draw),
               'career': draw(st.sampled_from(['highest', 'requalify'])),
               'volumes': {'customer_volume_counts': draw(st.booleans()),
                           'activity_min_pv': draw(st.sampled_from(['0', '50']))},
               'components': components(draw)}
    versions = [version]
    if draw(st.booleans()):
        later = dict(version, id='v2', valid_from='2024-07-16',
                     components=components(draw))
        versions.append(later)
    return {'name': 'random', 'currency': 'EUR', 'versions': versions}


@st.composite
def scenarios(draw):
    size = draw(st.integers(1, 18))
    partners, slots = [], set()
    for i in range(size):
        joined = f'2024-0{draw(st.integers(1, 8))}-0{draw(st.integers(1, 9))}'
        row = {'id': f'P{i}', 'join_date': joined,
               'status': draw(st.sampled_from(['active'] * 6 + ['inactive', 'terminated']))}
        if i:
            row['sponsor'] = f'P{draw(st.integers(0, i - 1))}'
            parent, leg = draw(st.integers(0, i - 1)), draw(st.sampled_from(['left', 'right']))
            if (parent, leg) not in slots and draw(st.booleans()):
                slots.add((parent, leg))
                row['binary'] = {'parent': f'P{parent}', 'leg': leg}
        if draw(st.integers(0, 4)) == 0:
            row['rank_override'] = draw(rank)
        if draw(st.integers(0, 4)) == 0:
            row['highest_rank'] = draw(rank)
        partners.append(row)
    periods = []
    order_count = 0
    for p, (start, end) in enumerate((('2024-07-01', '2024-07-31'), ('2024-08-01', '2024-08-31'))):
        orders, returns = [], []
        for _ in range(draw(st.integers(0, 12))):
            day = f'{start[:8]}{draw(st.integers(1, 28)):02d}'
            orders.append({'id': f'O{order_count}', 'partner': f'P{draw(st.integers(0, size - 1))}',
                           'buyer': draw(st.sampled_from(['own', 'customer'])),
                           'order_date': day, 'paid_date': day if draw(st.integers(0, 5)) else None,
                           'pv': draw(money), 'cv': draw(money), 'amount': draw(money)})
            order_count += 1
        periods.append({'id': start[:7], 'start': start, 'end': end, 'orders': orders,
                        'returns': returns})
    for p, period in enumerate(periods):
        candidates = [o for q in periods[:p + 1] for o in q['orders'] if o['paid_date']]
        for order in draw(st.lists(st.sampled_from(candidates), unique_by=lambda o: o['id'],
                                   max_size=3)) if candidates else []:
            if any(r['order'] == order['id'] for q in periods for r in q['returns']):
                continue
            share = draw(st.sampled_from([1, 2, 3]))
            returned = {'order': order['id'], 'date': period['end'],
                        'pv': _part(order['pv'], share), 'cv': _part(order['cv'], share)}
            period['returns'].append(returned)
    carry = [{'partner': f'P{i}', 'left': draw(money), 'right': draw(money)}
             for i in range(size) if draw(st.integers(0, 3)) == 0]
    return {'partners': partners, 'carry_in': carry, 'periods': periods}


def _part(amount, share):
    cents = int(Decimal(amount) * 100)
    part = cents // share
    return f'{part // 100}.{part % 100:02d}'


def engine_lines(lines):
    rows = []
    for i in range(len(lines)):
        row = {name: int(lines.column(name)[i]) for name in COLUMNS}
        row['component'] = COMPONENTS[row['component']]
        row['basis'] = BASES[row['basis']]
        rows.append(row)
    return rows


@SETTINGS
@given(plans(), scenarios())
def test_engine_equals_reference(plan_data, scenario_data):
    plan_set = load_plan(plan_data)
    scenario = load_scenario(scenario_data, plan_set)
    engine = run_scenario(plan_set, scenario)
    reference = reference_scenario(plan_set, scenario)
    for fast, slow in zip(engine, reference):
        assert fast.ranks.qualified.tolist() == slow['qualified']
        assert fast.ranks.paid_as.tolist() == slow['paid_as']
        assert fast.ranks.highest.tolist() == slow['highest']
        assert fast.pv.tolist() == slow['pv']
        assert fast.gv.tolist() == slow['gv']
        assert engine_lines(fast.lines) == slow['lines']
        assert np.asarray(fast.carry_out).tolist() == [list(r) for r in slow['carry_out']]
