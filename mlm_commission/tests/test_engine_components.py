"""Component behaviour of the engine with exact figures (Python API, no CLI)."""
import copy

import pytest

from mlm_commission.engine import EngineInputError, load_plan, load_scenario, run_scenario
from mlm_commission.engine.report import period_json


UNREACHABLE = [{'name': name, 'min_pv': '1000000'} for name in ('R1', 'R2', 'R3')]


def plan(components, ranks=None, **version):
    """A one-version plan; by default nobody qualifies for a rank without an override."""
    return {'name': 'Test', 'currency': 'EUR', 'versions': [{
        'id': 'v1', 'valid_from': '2024-01-01',
        'ranks': ranks or UNREACHABLE,
        'components': components, **version}]}


def partner(pid, sponsor=None, **extra):
    return {'id': pid, 'sponsor': sponsor, 'join_date': '2024-01-01', **extra}


def order(oid, pid, cv, day='2024-07-10', **extra):
    return {'id': oid, 'partner': pid, 'order_date': day, 'paid_date': day,
            'pv': cv, 'cv': cv, 'amount': cv, **extra}


def month(pid, orders=(), returns=()):
    year, number = pid.split('-')
    last = {'02': 29}.get(number, 30 if number in ('04', '06', '09', '11') else 31)
    return {'id': pid, 'start': f'{pid}-01', 'end': f'{pid}-{last}',
            'orders': list(orders), 'returns': list(returns)}


def simulate(plan_data, partners, periods, carry_in=None):
    plan_set = load_plan(plan_data)
    data = {'partners': partners, 'periods': periods}
    if carry_in:
        data['carry_in'] = carry_in
    results = run_scenario(plan_set, load_scenario(data, plan_set))
    return [period_json(r) for r in results]


def amounts(period, component=None):
    return {(l['beneficiary'], l['source_order'] or l['source_partner'], l['paid_level']):
            l['amount'] for l in period['lines']
            if component is None or l['component'] == component}


def ranks(period, field='paid_as'):
    return {row['partner']: row[field] for row in period['ranks']}


# --- ranks -----------------------------------------------------------------

LEG_SHARE_RANKS = [
    {'name': 'Member'},
    {'name': 'Leader', 'min_pv': '100', 'min_gv': '1000', 'max_leg_share': '0.4'},
]


def test_max_leg_share_caps_each_leg_at_40_percent_of_the_requirement():
    partners = [partner('A'), partner('B', 'A'), partner('C', 'A'), partner('D', 'A')]
    orders = [order('a', 'A', '100'), order('b', 'B', '900'), order('c', 'C', '300'),
              order('d', 'D', '100')]
    period, = simulate(plan({'stairstep': {'rates': {'Member': '0.01'}}}, LEG_SHARE_RANKS),
                       partners, [month('2024-07', orders)])
    a = next(r for r in period['ranks'] if r['partner'] == 'A')
    assert (a['gv'], a['qualifying_gv'], a['qualified']) == ('1400.00', '900.00', 'Member')
    orders[3] = order('d', 'D', '200')
    period, = simulate(plan({'stairstep': {'rates': {'Member': '0.01'}}}, LEG_SHARE_RANKS),
                       partners, [month('2024-07', orders)])
    a = next(r for r in period['ranks'] if r['partner'] == 'A')
    assert (a['qualifying_gv'], a['qualified']) == ('1000.00', 'Leader')


def test_strongest_leg_cap_applies_to_the_strongest_leg_only():
    rules = [{'name': 'Member'},
             {'name': 'Leader', 'min_gv': '1000', 'strongest_leg_cap': '0.5'}]
    partners = [partner('A'), partner('B', 'A'), partner('C', 'A')]
    orders = [order('b', 'B', '900'), order('c', 'C', '450')]
    period, = simulate(plan({'stairstep': {'rates': {'Member': '0.01'}}}, rules),
                       partners, [month('2024-07', orders)])
    a = next(r for r in period['ranks'] if r['partner'] == 'A')
    assert (a['qualifying_gv'], a['qualified']) == ('950.00', 'Member')


def test_legs_qualify_by_rank_anywhere_in_the_leg_bottom_up():
    rules = [{'name': 'Member', 'min_pv': '100'},
             {'name': 'Manager', 'min_pv': '100', 'legs': {'count': 2, 'min_rank': 'Member'}},
             {'name': 'Director', 'min_pv': '100', 'legs': {'count': 2, 'min_rank': 'Manager'}}]
    partners = [partner('Top'), partner('L', 'Top'), partner('R', 'Top'),
                partner('L1', 'L'), partner('L2', 'L'), partner('R1', 'R'), partner('R2', 'R'),
                partner('R2a', 'R2'), partner('R2b', 'R2'), partner('R2a1', 'R2a')]
    orders = [order(f'o{p["id"]}', p['id'], '100') for p in partners if p['id'] != 'R']
    period, = simulate(plan({'stairstep': {'rates': {'Member': '0.01'}}}, rules),
                       partners, [month('2024-07', orders)])
    assert ranks(period, 'qualified') == {
        'Top': 'Director', 'L': 'Manager', 'R': None, 'L1': 'Member', 'L2': 'Member',
        'R1': 'Member', 'R2': 'Manager', 'R2a': 'Member', 'R2b': 'Member', 'R2a1': 'Member'}
    assert ranks(period, 'qualified_legs')['Top'] == 2


def test_legs_qualify_by_volume():
    rules = [{'name': 'Member'},
             {'name': 'Builder', 'legs': {'count': 2, 'min_volume': '500'}}]
    partners = [partner('A'), partner('B', 'A'), partner('C', 'A'), partner('C1', 'C')]
    orders = [order('b', 'B', '500'), order('c', 'C', '200'), order('c1', 'C1', '300')]
    period, = simulate(plan({'stairstep': {'rates': {'Member': '0.01'}}}, rules),
                       partners, [month('2024-07', orders)])
    assert ranks(period, 'qualified')['A'] == 'Builder'
    assert ranks(period, 'qualified')['C'] == 'Member'


@pytest.mark.parametrize('career, expected', [('highest', 'Leader'), ('requalify', 'Member')])
def test_career_highest_keeps_the_rank_requalify_does_not(career, expected):
    rules = [{'name': 'Member'}, {'name': 'Leader', 'min_pv': '1000'}]
    partners = [partner('A'), partner('B', 'A', rank_override='Leader')]
    periods = [month('2024-07', [order('a1', 'A', '1000')]),
               month('2024-08', [order('a2', 'A', '10')])]
    july, august = simulate(plan({'stairstep': {'rates': {'Member': '0.01', 'Leader': '0.05'}}},
                                 rules, career=career), partners, periods)
    assert ranks(july)['A'] == 'Leader'
    assert ranks(august, 'qualified')['A'] == 'Member'
    assert ranks(august)['A'] == expected
    assert ranks(august, 'highest')['A'] == 'Leader'
    assert ranks(august)['B'] == 'Leader'


# --- stair-step -------------------------------------------------------------

STEPS = {'R1': '0.05', 'R2': '0.10', 'R3': '0.15'}


def test_breakaway_generations_end_at_each_leader():
    partners = [partner('G2'), partner('G1', 'G2', rank_override='R3'),
                partner('X', 'G1', rank_override='R1'), partner('L0', 'X', rank_override='R3'),
                partner('B', 'L0', rank_override='R1')]
    partners[0]['rank_override'] = 'R3'
    components = {'stairstep': {'rates': STEPS,
                                'breakaway': {'rank': 'R3', 'generations': ['0.04', '0.02']}}}
    period, = simulate(plan(components), partners, [month('2024-07', [order('o', 'B', '1000')])])
    assert amounts(period) == {('B', 'o', 1): '50.00', ('L0', 'o', 2): '100.00',
                               ('G1', 'o', 1): '40.00', ('G2', 'o', 2): '20.00'}
    assert {l['beneficiary']: l['component'] for l in period['lines']} == {
        'B': 'stairstep', 'L0': 'stairstep', 'G1': 'breakaway', 'G2': 'breakaway'}


def test_tier_slot_pays_each_increment_to_the_first_partner_at_that_rank():
    partners = [partner('Top', rank_override='R3'), partner('Mid', 'Top', rank_override='R1'),
                partner('Low', 'Mid', rank_override='R2'), partner('B', 'Low')]
    components = {'stairstep': {'rates': STEPS, 'variant': 'tier_slot'}}
    period, = simulate(plan(components), partners, [month('2024-07', [order('o', 'B', '1000')])])
    assert amounts(period) == {('Low', 'o', 1): '50.00', ('Low', 'o', 2): '50.00',
                               ('Top', 'o', 3): '50.00'}


def test_inactive_partner_neither_earns_nor_blocks():
    partners = [partner('Top', rank_override='R3'),
                partner('Mid', 'Top', rank_override='R3', status='inactive'),
                partner('B', 'Mid', rank_override='R1')]
    period, = simulate(plan({'stairstep': {'rates': STEPS}}), partners,
                       [month('2024-07', [order('o', 'B', '1000')])])
    assert amounts(period) == {('B', 'o', 1): '50.00', ('Top', 'o', 2): '100.00'}


def test_orders_use_the_plan_version_valid_on_their_date():
    data = plan({'stairstep': {'rates': {'R1': '0.05'}}})
    later = copy.deepcopy(data['versions'][0])
    later.update(id='v2', valid_from='2024-07-16',
                 components={'stairstep': {'rates': {'R1': '0.07'}}})
    data['versions'].append(later)
    period, = simulate(data, [partner('A', rank_override='R1')],
                       [month('2024-07', [order('early', 'A', '100', '2024-07-15'),
                                          order('late', 'A', '100', '2024-07-16')])])
    versions = {l['source_order']: (l['amount'], l['plan_version']) for l in period['lines']}
    assert versions == {'early': ('5.00', 'v1'), 'late': ('7.00', 'v2')}
    assert period['plan_version'] == 'v2'


# --- unilevel ---------------------------------------------------------------

def test_static_compression_skips_terminated_partners_only():
    rates = {'R1': ['0.05', '0.03']}
    partners = [partner('A', rank_override='R1'), partner('T', 'A', status='terminated'),
                partner('I', 'T', rank_override='R1', status='inactive'),
                partner('B', 'I')]
    period, = simulate(plan({'unilevel': {'rates': rates, 'compression': 'static'}}), partners,
                       [month('2024-07', [order('o', 'B', '1000')])])
    assert amounts(period) == {('A', 'o', 2): '30.00'}
    period, = simulate(plan({'unilevel': {'rates': rates, 'compression': 'none'}}), partners,
                       [month('2024-07', [order('o', 'B', '1000')])])
    assert amounts(period) == {}


# --- binary -----------------------------------------------------------------

BINARY_TREE = [partner('A'), partner('L', 'A', binary={'parent': 'A', 'leg': 'left'}),
               partner('R', 'A', binary={'parent': 'A', 'leg': 'right'}),
               partner('RR', 'R', binary={'parent': 'R', 'leg': 'right'})]


def binary_plan(**extra):
    return plan({'binary': {'pairing': {'type': 'fixed', 'left': '100', 'right': '100'},
                            'cycle_value': '10.00', **extra}})


def carry(period, pid):
    row = next(r for r in period['carry'] if r['partner'] == pid)
    return row['left_out'], row['right_out'], row['cycles']


def test_binary_carry_flows_into_the_next_period():
    periods = [month('2024-07', [order('l', 'L', '250'), order('r', 'RR', '120')]),
               month('2024-08', [order('r2', 'R', '230')])]
    july, august = simulate(binary_plan(), BINARY_TREE, periods,
                            carry_in=[{'partner': 'A', 'left': '0', 'right': '30'}])
    assert carry(july, 'A') == ('150.00', '50.00', 1)
    assert amounts(july) == {('A', None, 0): '10.00'}
    assert carry(august, 'A') == ('50.00', '180.00', 1)
    assert carry(august, 'R') == ('0.00', '120.00', 0)


@pytest.mark.parametrize('excess, expected', [('flush', ('0.00', '0.00')),
                                              ('carry', ('300.00', '300.00'))])
def test_binary_cycle_cap_flushes_or_carries_the_excess(excess, expected):
    periods = [month('2024-07', [order('l', 'L', '500'), order('r', 'R', '500')])]
    period, = simulate(binary_plan(cap={'max_cycles': 2, 'excess': excess}), BINARY_TREE, periods)
    assert amounts(period) == {('A', None, 0): '20.00'}
    assert carry(period, 'A')[:2] == expected


def test_binary_earnings_cap_and_strong_leg_carry_cap():
    periods = [month('2024-07', [order('l', 'L', '300'), order('r', 'R', '5000')])]
    period, = simulate(binary_plan(cap={'max_earnings': '25.00', 'excess': 'flush'},
                                   strong_leg_carry_cap='1000'), BINARY_TREE, periods)
    assert amounts(period) == {('A', None, 0): '20.00'}
    assert carry(period, 'A')[:2] == ('0.00', '1000.00')


def test_binary_flush_on_inactivity():
    periods = [month('2024-07', [order('l', 'L', '50'), order('r', 'R', '500')])]
    period, = simulate(binary_plan(flush_inactive=True), BINARY_TREE, periods,
                       carry_in=[{'partner': 'R', 'left': '10', 'right': '10'}])
    assert carry(period, 'A')[:2] == ('50.00', '500.00')
    data = binary_plan(flush_inactive=True)
    data['versions'][0]['volumes'] = {'activity_min_pv': '1'}
    period, = simulate(data, BINARY_TREE, periods)
    assert carry(period, 'A')[:2] == ('0.00', '0.00')


def test_binary_ratio_pairs_weak_and_strong_leg():
    data = plan({'binary': {'pairing': {'type': 'ratio', 'weak': '100', 'strong': '200'},
                            'cycle_value': '10.00'}})
    periods = [month('2024-07', [order('l', 'L', '1000'), order('r', 'R', '350')])]
    period, = simulate(data, BINARY_TREE, periods)
    assert carry(period, 'A') == ('400.00', '50.00', 3)


# --- fast start, matching, pools, advancement, payout cap ----------------------

def test_fast_start_pays_enrolment_generations_without_compression():
    partners = [partner('G2'), partner('G1', 'G2', status='inactive'),
                {**partner('New', 'G1'), 'join_date': '2024-07-01'}]
    data = plan({'fast_start': {'days': 30, 'rates': ['0.20', '0.10']}})
    orders = [order('first', 'New', '100', '2024-07-01'), order('last', 'New', '100', '2024-07-31')]
    period, = simulate(data, partners, [month('2024-07', orders)])
    assert amounts(period) == {('G2', 'first', 2): '10.00', ('G2', 'last', 2): '10.00'}
    partners[2]['join_date'] = '2024-06-01'
    period, = simulate(data, partners, [month('2024-07', [order('o', 'New', '100')])])
    assert amounts(period) == {}


def test_matching_by_generation_ends_at_the_next_leader():
    partners = [partner('L2', rank_override='R3'), partner('L1', 'L2', rank_override='R3'),
                partner('M', 'L1'), partner('E', 'M', rank_override='R1')]
    data = plan({'stairstep': {'rates': {'R1': '0.10', 'R2': '0.10', 'R3': '0.10'}},
                 'matching': {'mode': 'generation', 'generation_rank': 'R3',
                              'rates': ['0.10', '0.05'], 'components': ['stairstep']}})
    period, = simulate(data, partners, [month('2024-07', [order('o', 'E', '1000')])])
    matching = amounts(period, 'matching')
    assert matching == {('L1', 'E', 1): '10.00', ('L2', 'E', 2): '5.00'}


def test_pool_by_shares_distributes_the_remainder_by_largest_remainder():
    partners = [partner('Shop'), partner('A', 'Shop', rank_override='R2'),
                partner('B', 'Shop', rank_override='R3'), partner('C', 'Shop', rank_override='R2')]
    data = plan({'pools': [{'name': 'gold', 'share': '0.01', 'min_rank': 'R2',
                            'split': 'shares', 'shares': {'R2': 1, 'R3': 2}}]})
    period, = simulate(data, partners, [month('2024-07', [order('o', 'Shop', '1000.01')])])
    assert amounts(period) == {('A', None, 1): '2.50', ('B', None, 1): '5.00',
                               ('C', None, 1): '2.50'}
    period, = simulate(data, partners, [month('2024-07', [order('o', 'Shop', '1000.03')])])
    pool = amounts(period)
    assert pool == {('A', None, 1): '2.50', ('B', None, 1): '5.00', ('C', None, 1): '2.50'}
    period, = simulate(data, partners, [month('2024-07', [order('o', 'Shop', '1000.50')])])
    assert amounts(period) == {('A', None, 1): '2.50', ('B', None, 1): '5.01',
                               ('C', None, 1): '2.50'}


def test_rank_advancement_paid_once_after_holding_the_rank():
    rules = [{'name': 'R1'}, {'name': 'R2', 'min_pv': '100'}, {'name': 'R3', 'min_pv': '1000'}]
    data = plan({'rank_advancement': {'bonuses': {'R2': '50.00', 'R3': '200.00'},
                                      'hold_periods': 2}}, rules)
    periods = [month('2024-07', [order('a', 'A', '100')]),
               month('2024-08', [order('b', 'A', '1000')]),
               month('2024-09', [order('c', 'A', '1000')]),
               month('2024-10', [order('d', 'A', '1000')])]
    results = simulate(data, [partner('A')], periods)
    assert [amounts(p) for p in results] == [
        {}, {('A', None, 2): '50.00'}, {('A', None, 3): '200.00'}, {}]
    results = simulate(data, [partner('A', highest_rank='R2')], periods)
    assert [amounts(p) for p in results] == [{}, {}, {('A', None, 3): '200.00'}, {}]


def test_payout_cap_reduces_pro_rata_and_totals_exactly():
    partners = [partner('A', rank_override='R3'), partner('B', 'A', rank_override='R1'),
                partner('C', 'A', rank_override='R1')]
    data = plan({'stairstep': {'rates': STEPS}, 'payout_cap': {'share': '0.10'}})
    period, = simulate(data, partners, [month('2024-07', [order('b', 'B', '100'),
                                                          order('c', 'C', '200.01')])])
    assert period['totals']['payout'] == '30.00'
    before = {(l['beneficiary'], l['source_order']): (l['amount_before_cap'], l['amount'])
              for l in period['lines']}
    assert before == {('A', 'b'): ('10.00', '6.67'), ('A', 'c'): ('20.00', '13.33'),
                      ('B', 'b'): ('5.00', '3.33'), ('C', 'c'): ('10.00', '6.67')}


# --- returns ----------------------------------------------------------------

def test_partial_returns_claw_back_with_cumulative_rounding():
    partners = [partner('A', rank_override='R1')]
    periods = [month('2024-07', [order('o', 'A', '1000')])]
    for number in ('08', '09', '10'):
        periods.append(month(f'2024-{number}', returns=[
            {'order': 'o', 'date': f'2024-{number}-05', 'pv': '333.33', 'cv': '333.33'}]))
    periods[-1]['returns'][0].update(pv='333.34', cv='333.34')
    results = simulate(plan({'stairstep': {'rates': {'R1': '0.05'}}}), partners, periods)
    claws = [p['lines'][0]['amount'] for p in results[1:]]
    assert claws == ['-16.67', '-16.66', '-16.67']
    assert [p['ranks'][0]['pv'] for p in results] == ['1000.00', '-333.33', '-333.33', '-333.34']


def test_return_in_the_same_period_nets_the_order():
    periods = [month('2024-07', [order('o', 'A', '1000')],
                     returns=[{'order': 'o', 'date': '2024-07-20', 'cv': '400', 'pv': '400'}])]
    period, = simulate(plan({'stairstep': {'rates': {'R1': '0.05'}}}),
                       [partner('A', rank_override='R1')], periods)
    assert amounts(period) == {('A', 'o', 1): '30.00'}


def test_returning_more_than_the_order_is_rejected():
    periods = [month('2024-07', [order('o', 'A', '100')]),
               month('2024-08', returns=[{'order': 'o', 'date': '2024-08-02', 'cv': '101'}])]
    with pytest.raises(EngineInputError) as error:
        simulate(plan({'stairstep': {'rates': {'R1': '0.05'}}}), [partner('A')], periods)
    assert error.value.messages == [
        '$.periods[1].returns[0].cv: returns exceed the order: only 100.00 cv left to return']


# --- scale ------------------------------------------------------------------

def test_a_10000_deep_chain_runs_without_recursion():
    depth = 10_000
    partners = [partner('P0', rank_override='R3')] + [
        partner(f'P{i}', f'P{i - 1}', rank_override='R1') for i in range(1, depth)]
    data = plan({'stairstep': {'rates': STEPS},
                 'unilevel': {'rates': {'R3': ['0.01'] * 20}, 'compression': 'dynamic'}})
    period, = simulate(data, partners, [month('2024-07', [order('o', f'P{depth - 1}', '100')])])
    top = [l for l in period['lines'] if l['beneficiary'] == 'P0']
    assert [(l['component'], l['level'], l['amount']) for l in top] == [
        ('stairstep', depth - 1, '10.00'), ('unilevel', depth - 1, '1.00')]
    assert len(top[0]['path']) == depth
    assert ranks(period, 'gv')['P0'] == '100.00'


def test_payout_cap_gives_a_tied_remainder_cent_to_the_first_line_in_canonical_order():
    partners = [partner('A', rank_override='R1'), partner('B', 'A', rank_override='R1')]
    data = plan({'stairstep': {'rates': {'R1': '0.05'}},
                 'unilevel': {'rates': {'R1': ['0.05']}},
                 'payout_cap': {'share': '0.0999'}})
    period, = simulate(data, partners, [month('2024-07', [order('b', 'B', '100')])])
    assert [(l['beneficiary'], l['component'], l['amount_before_cap'], l['amount'])
            for l in period['lines']] == [('A', 'unilevel', '5.00', '5.00'),
                                          ('B', 'stairstep', '5.00', '4.99')]
