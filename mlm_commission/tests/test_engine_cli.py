"""The simulator and benchmark CLI: errors, explanations, examples, registration."""
import argparse
import json
import pathlib
import subprocess
import sys

import pytest

from mlm_commission.engine.cli import register_bench, register_simulate
from mlm_commission.engine.report import dumps, simulation_json
from mlm_commission.engine.simulate import simulate_files

ROOT = pathlib.Path(__file__).resolve().parents[2]
INVALID = pathlib.Path(__file__).parent / 'engine' / 'invalid'
EXAMPLES = ROOT / 'examples'


def engine(*args):
    return subprocess.run([sys.executable, '-m', 'mlm_commission.engine', *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, check=False)


def assert_rejected(completed, expected):
    assert completed.returncode == 2
    assert completed.stdout == ''
    assert 'Traceback' not in completed.stderr
    for fragment in expected:
        assert fragment in completed.stderr, completed.stderr
    return completed.stderr.splitlines()


def test_a_bad_plan_lists_every_error_with_its_path():
    plan = INVALID / 'plan_with_errors.yaml'
    lines = assert_rejected(engine('simulate', plan, INVALID / 'scenario_with_errors.yaml'), [
        f"{plan}: $.currency: 'euro' does not match",
        '$.versions[0].valid_from: not a date "YYYY-MM-DD"',
        "$.versions[0].ranks[1].name: duplicate rank name 'Bronze'",
        "$.versions[0].ranks[2].legs.min_rank: unknown rank 'Platinum'",
        '$.versions[0].components.stairstep.rates: stair-step rates must not decrease',
        '$.versions[0].components.unilevel.rates.Gold[0]: 0.05 is a floating-point number',
        '$.versions[0].components.matching: mode "generation" needs generation_rank',
        "$.versions[0].components.matching.rates[0]: rate '1.5' is greater than 1",
        "$.versions[0].components.matching.components[0]: component 'binary' is not part",
    ])
    assert len(lines) == 9
    assert all(line.startswith(f'error: {plan}: $.') for line in lines)


def test_a_bad_scenario_lists_cycles_unknown_partners_ranks_and_negative_volumes():
    scenario = INVALID / 'scenario_with_errors.yaml'
    lines = assert_rejected(engine('simulate', INVALID / 'plan_ok.yaml', scenario), [
        "$.partners[1].rank_override: unknown rank 'Platinum' (ranks: Bronze, Gold)",
        "$.partners[3].sponsor: unknown partner 'X'",
        "$.partners[0].sponsor: cycle: partner 'A' is its own sponsor ancestor (cycle A -> B -> C)",
        "$.partners[1].sponsor: cycle",
        "$.partners[2].sponsor: cycle",
        "$.periods[0].orders[0].pv: negative volume '-100' is not allowed",
        "$.periods[0].orders[1].partner: unknown partner 'Q'",
    ])
    assert len(lines) == 7


def test_unreadable_files_are_reported_without_traceback():
    assert_rejected(engine('simulate', INVALID / 'missing.yaml', INVALID / 'plan_ok.yaml'),
                    ['missing.yaml: cannot read file'])
    assert_rejected(engine('simulate', INVALID / 'plan_ok.yaml',
                           INVALID / 'scenario_not_yaml.yaml'),
                    ['scenario_not_yaml.yaml: line 2, column 1: invalid YAML'])


def test_explain_of_an_unknown_partner_is_rejected():
    assert_rejected(engine('simulate', EXAMPLES / 'plans' / 'hybrid.yaml',
                           EXAMPLES / 'scenarios' / 'team.yaml', '--explain', 'nobody'),
                    ["--explain: unknown partner 'nobody'"])


def test_explain_prints_each_line_with_its_reason_and_path():
    completed = engine('simulate', EXAMPLES / 'plans' / 'hybrid.yaml',
                       EXAMPLES / 'scenarios' / 'team.yaml', '--explain', 'anna')
    assert completed.returncode == 0, completed.stderr
    assert ('unilevel: -7.33 = cv 1100.00 x 0.02 on order J-005 of eva; level 2, paid level 2, '
            'rank Silver, plan version 2024.1; clawback of period 2024-07; '
            'path eva -> ben -> anna') in completed.stdout
    assert 'Totals: payout 140.47, clawback -7.33' in completed.stdout


PAIRS = [(plan.name, scenario.name)
         for plan in sorted((EXAMPLES / 'plans').iterdir())
         for scenario in sorted((EXAMPLES / 'scenarios').iterdir())]


@pytest.mark.parametrize('plan, scenario', PAIRS)
def test_every_example_runs_and_reconciles(plan, scenario):
    plan_set, results = simulate_files(EXAMPLES / 'plans' / plan,
                                       EXAMPLES / 'scenarios' / scenario)
    document = json.loads(dumps(simulation_json(plan_set, results)))
    assert document['format'] == 'mlm-simulation/1'
    for period in document['periods']:
        cents = sum(round(float(line['amount']) * 100) for line in period['lines'])
        assert f'{cents / 100:.2f}' == period['totals']['payout']


def test_register_functions_plug_into_another_parser():
    parser = argparse.ArgumentParser(prog='mlm')
    commands = parser.add_subparsers(dest='command')
    register_simulate(commands)
    bench = commands.add_parser('bench')
    register_bench(bench.add_subparsers(dest='target'))
    args = parser.parse_args(['simulate', 'p.yaml', 's.yaml', '--json', '--explain', 'A'])
    assert (args.plan, args.scenario, args.json, args.explain) == ('p.yaml', 's.yaml', True, 'A')
    args = parser.parse_args(['bench', 'engine', '--partners', '5000', '--reference'])
    assert (args.partners, args.reference, args.attachment) == (5000, True, 'random')
    assert callable(args.func)


def test_bench_engine_runs_and_reports_every_component():
    completed = engine('bench', 'engine', '--partners', 3000, '--chain', 500, '--reference',
                       '--reference-sample', 300, '--attachment', 'preferential', '--json')
    assert completed.returncode == 0, completed.stderr
    figures = json.loads(completed.stdout)
    assert set(figures['components']) >= {
        'volumes', 'ranks', 'stairstep', 'unilevel', 'binary', 'matrix', 'fast_start',
        'matching', 'pools', 'rank_advancement', 'payout_cap'}
    assert figures['reference']['ratio'] > 1
    assert figures['sponsor_depth'] > 500


def test_plans_guide_embeds_the_example_files_verbatim():
    guide = (ROOT / 'docs' / 'plans.md').read_text()
    embedded = guide.split('<!-- file: ')[1:]
    assert len(embedded) == len(list((EXAMPLES / 'plans').iterdir()))
    for part in embedded:
        path, rest = part.split(' -->\n', 1)
        body = rest.split('\n', 1)[1].split('```\n', 1)[0]
        assert body == (ROOT / path).read_text(), path


def test_bench_rejects_unknown_components():
    assert_rejected(engine('bench', 'engine', '--partners', 100, '--components', 'binary,bogus'),
                    ['--components: unknown bogus'])


def test_a_key_written_twice_is_rejected(tmp_path):
    yaml_plan = tmp_path / 'plan.yaml'
    yaml_plan.write_text('name: A\ncurrency: EUR\nname: B\nversions: []\n')
    json_plan = tmp_path / 'plan.json'
    json_plan.write_text('{"name": "A", "name": "B"}')
    assert_rejected(engine('simulate', yaml_plan, yaml_plan),
                    [f"{yaml_plan}: line 3, column 1: invalid YAML: duplicate key 'name'"])
    assert_rejected(engine('simulate', json_plan, yaml_plan),
                    [f"{json_plan}: invalid JSON: duplicate key 'name'"])
