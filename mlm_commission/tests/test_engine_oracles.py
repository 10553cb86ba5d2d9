"""Public oracles (docs/oracles.md) run through the simulator CLI with exact figures."""
import copy
import functools
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ORACLES = pathlib.Path(__file__).parent / 'engine' / 'oracles'


def simulate(plan, scenario):
    """Run ``simulate --json`` on two oracle files; return the parsed document."""
    return copy.deepcopy(_simulate(plan, scenario))


@functools.lru_cache(maxsize=None)
def _simulate(plan, scenario):
    completed = subprocess.run(
        [sys.executable, '-m', 'mlm_commission.engine', 'simulate', str(ORACLES / plan),
         str(ORACLES / scenario), '--json'],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ''
    return json.loads(completed.stdout)


def paid(period, component=None):
    """``{(beneficiary, source_order): amount}`` of a period's lines."""
    return {(line['beneficiary'], line['source_order']): line['amount']
            for line in period['lines']
            if component is None or line['component'] == component}


def by_partner(period):
    return {row['partner']: row['amount'] for row in period['totals']['by_partner']}


def test_u2_without_dynamic_compression_pays_g_and_d_only():
    period = simulate('u2_plan_none.yaml', 'u2_scenario.yaml')['periods'][0]
    assert paid(period) == {('G', 'H1'): '50.00', ('D', 'H1'): '20.00'}
    levels = {line['beneficiary']: (line['level'], line['paid_level'], line['rank'])
              for line in period['lines']}
    assert levels == {'G': (1, 1, 'T6'), 'D': (4, 4, 'T6')}


def test_u2_with_dynamic_compression_passes_unpaid_levels_up():
    period = simulate('u2_plan_dynamic.yaml', 'u2_scenario.yaml')['periods'][0]
    assert paid(period) == {('G', 'H1'): '50.00', ('D', 'H1'): '40.00',
                            ('B', 'H1'): '30.00', ('A', 'H1'): '20.00'}
    levels = {line['beneficiary']: (line['level'], line['paid_level'])
              for line in period['lines']}
    assert levels == {'G': (1, 1), 'D': (4, 2), 'B': (6, 3), 'A': (7, 4)}
    path = next(line['path'] for line in period['lines'] if line['beneficiary'] == 'A')
    assert path == ['H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']


def test_s1_rank_3_earns_15_on_own_and_10_on_rank_1_frontline():
    period = simulate('s1_plan.yaml', 's1_jane_r1.yaml')['periods'][0]
    assert paid(period) == {
        ('You', 'Y1'): '75.00', ('You', 'B1'): '20.00', ('You', 'J1'): '100.00',
        ('You', 'T1'): '30.00', ('Bob', 'B1'): '10.00', ('Jane', 'J1'): '50.00',
        ('Tim', 'T1'): '15.00'}
    rates = {(line['beneficiary'], line['source_order']): line['rate']
             for line in period['lines']}
    assert rates[('You', 'Y1')] == '0.15'
    assert rates[('You', 'J1')] == '0.10'
    assert period['totals']['payout'] == '300.00'


def test_s1_jane_at_rank_2_leaves_you_5_percent():
    period = simulate('s1_plan.yaml', 's1_jane_r2.yaml')['periods'][0]
    lines = paid(period)
    assert lines[('Jane', 'J1')] == '100.00'
    assert lines[('You', 'J1')] == '50.00'
    assert next(l['rate'] for l in period['lines']
                if l['beneficiary'] == 'You' and l['source_order'] == 'J1') == '0.05'


def test_s1_jane_at_rank_3_blocks_you():
    period = simulate('s1_plan.yaml', 's1_jane_r3.yaml')['periods'][0]
    lines = paid(period)
    assert lines[('Jane', 'J1')] == '150.00'
    assert ('You', 'J1') not in lines


def test_s2_step_2_upline_over_step_1_earns_3_percent():
    period = simulate('s2_plan.yaml', 's2_scenario.yaml')['periods'][0]
    assert paid(period) == {('Upline', 'F1'): '30.00', ('Front', 'F1'): '30.00'}
    assert [l['rate'] for l in period['lines']] == ['0.03', '0.03']


def test_b1_nine_cycles_and_carry():
    period = simulate('b1_plan.yaml', 'b1_scenario.yaml')['periods'][0]
    assert paid(period) == {('A', None): '180.00'}
    line = period['lines'][0]
    assert (line['basis'], line['base'], line['rate']) == ('cycles', '9', '20.00')
    assert period['carry'] == [{
        'partner': 'A', 'left_in': '0.00', 'left_volume': '1800.00', 'left_out': '0.00',
        'right_in': '0.00', 'right_volume': '20800.00', 'right_out': '19000.00', 'cycles': 9}]


def test_b2_no_weak_leg_pays_nothing_and_keeps_carry():
    period = simulate('b2_plan.yaml', 'b2_scenario.yaml')['periods'][0]
    assert period['lines'] == []
    assert period['totals']['payout'] == '0.00'
    carry = period['carry'][0]
    assert (carry['partner'], carry['left_out'], carry['right_out'], carry['cycles']) == \
        ('A', '0.00', '6000.00', 0)


def test_b4_weak_leg_percent_pays_on_700_and_carries_300():
    period = simulate('b4_plan.yaml', 'b4_scenario.yaml')['periods'][0]
    line = period['lines'][0]
    assert (line['beneficiary'], line['basis'], line['base'], line['rate'], line['amount']) == \
        ('A', 'volume', '700.00', '0.10', '70.00')
    carry = period['carry'][0]
    assert (carry['left_out'], carry['right_out']) == ('0.00', '300.00')


def test_m1_spillover_places_k_under_d_and_a_stays_sponsor():
    document = simulate('m1_plan.yaml', 'm1_scenario.yaml')
    period = document['periods'][0]
    placement = {row['partner']: (row['parent'], row['depth']) for row in period['matrix']}
    assert placement == {
        'A': (None, 0), 'B': ('A', 1), 'C': ('A', 1), 'D': ('A', 1),
        'E': ('B', 2), 'F': ('B', 2), 'G': ('B', 2),
        'H': ('C', 2), 'I': ('C', 2), 'J': ('C', 2), 'K': ('D', 2)}
    assert paid(period) == {('D', 'K1'): '50.00', ('A', 'K1'): '30.00'}
    path = next(l['path'] for l in period['lines'] if l['beneficiary'] == 'A')
    assert path == ['K', 'D', 'A']


def test_x1_matching_184():
    period = simulate('x1_plan.yaml', 'x1_scenario.yaml')['periods'][0]
    matching = [(l['beneficiary'], l['source_partner'], l['paid_level'], l['base'], l['rate'],
                 l['amount']) for l in period['lines'] if l['component'] == 'matching']
    assert matching == [('A', 'B', 1, '1000.00', '0.10', '100.00'),
                        ('A', 'C', 2, '1200.00', '0.07', '84.00'),
                        ('B', 'C', 1, '1200.00', '0.10', '120.00')]
    assert period['totals']['by_component']['matching'] == '304.00'
    assert by_partner(period)['A'] == '184.00'


def test_p1_pool_shared_equally_by_50():
    period = simulate('p1_plan.yaml', 'p1_scenario.yaml')['periods'][0]
    pool_lines = [l for l in period['lines'] if l['component'] == 'pool']
    assert len(pool_lines) == 50
    assert {l['amount'] for l in pool_lines} == {'200.00'}
    assert {l['share'] for l in pool_lines} == {'1/50'}
    assert period['totals']['payout'] == '10000.00'
    assert period['company_volume']['cv'] == '1000000.00'


def test_c1_return_in_august_negates_july_lines_exactly():
    document = simulate('c1_plan.yaml', 'c1_scenario.yaml')
    july, august = document['periods']
    assert paid(july) == {('U', 'O-JUL'): '30.00', ('E', 'O-JUL'): '50.00'}
    claws = {(l['beneficiary'], l['source_order']): (l['amount'], l['reverses_period'])
             for l in august['lines'] if l['kind'] == 'clawback'}
    assert claws == {('E', 'O-JUL'): ('-50.00', '2024-07'), ('U', 'O-JUL'): ('-30.00', '2024-07')}
    assert paid(august) == {('U', 'O-JUL'): '-30.00', ('U', 'O-AUG'): '45.00',
                            ('E', 'O-JUL'): '-50.00', ('E', 'O-AUG'): '75.00'}
    assert august['totals']['clawback'] == '-80.00'
    ranks = {row['partner']: row for row in august['ranks']}
    assert (ranks['E']['pv'], ranks['E']['gv'], ranks['U']['gv']) == ('500.00', '500.00', '500.00')


def test_c1_july_is_not_touched_by_the_august_return():
    both = simulate('c1_plan.yaml', 'c1_scenario.yaml')['periods'][0]
    july_alone = simulate('c1_plan.yaml', 'c1_july_only.yaml')['periods'][0]
    assert both == july_alone
    ranks = {row['partner']: (row['pv'], row['gv'], row['qualified']) for row in both['ranks']}
    assert ranks == {'U': ('0.00', '1000.00', None), 'E': ('1000.00', '1000.00', 'Consultant')}


@pytest.mark.parametrize('plan, scenario', [('s1_plan.yaml', 's1_jane_r1.yaml'),
                                            ('c1_plan.yaml', 'c1_scenario.yaml')])
def test_output_is_byte_identical_across_runs(plan, scenario):
    runs = [subprocess.run([sys.executable, '-m', 'mlm_commission.engine', 'simulate',
                            str(ORACLES / plan), str(ORACLES / scenario), '--json'],
                           cwd=ROOT, capture_output=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
