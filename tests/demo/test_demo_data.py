# This file is part of the MLM suite. See LICENSE for details.
"The demo database holds exactly the German company the README promises."
import json
import subprocess
import sys

from mlm_cli.paths import PROJECT_ROOT

from .conftest import DATABASE


def test_demo_company_chart_products_users(demo):
    output = subprocess.run(
        [sys.executable, '-m', 'tests.demo.inspect_demo', str(demo.config),
            DATABASE], capture_output=True, text=True, check=True,
        cwd=PROJECT_ROOT).stdout
    facts = json.loads(output)
    assert facts['company'] == "Vitalis Vertrieb GmbH"
    assert facts['currency'] == 'EUR'
    assert facts['country'] == 'DE'
    assert facts['vat_id'] == 'DE123456788'
    assert facts['default_language'] == 'de'
    assert facts['periods'] == 24
    assert facts['accounts'] == {
        '1200': "Bank",
        '1400': "Forderungen aus Lieferungen u.Leistung",
        '1600': "Verbindl. aus Lieferungen u. Leistungen",
        '1776': "Umsatzsteuer 19%",
        '1771': "Umsatzsteuer 7%",
        '3400': "Wareneingang 19% Vorsteuer",
        '4760': "Verkaufsprovisionen",
        '8300': "Erlöse 7% USt",
        '8400': "Erlöse 19% USt",
        }
    assert facts['products'] == [
        ['BEA-200', '24.90', '18.7000', ['19.0000']],
        ['BEA-210', '39.00', '29.2500', ['19.0000']],
        ['HOM-300', '119.00', '89.2500', ['19.0000']],
        ['STA-900', '99.00', '74.2500', ['19.0000']],
        ['VIT-100', '39.90', '29.9000', ['7.0000']],
        ['VIT-110', '29.90', '22.4000', ['7.0000']],
        ['VIT-120', '34.50', '25.9000', ['7.0000']],
        ['VIT-130', '49.00', '36.7500', ['7.0000']],
        ]
    assert facts['admin_language'] == 'de'
    assert facts['users'] == [
        ['buchhaltung', 'de', ['MLM Accounting']],
        ['freigabe', 'de', ['MLM Commission Approver']],
        ['genealogie', 'de', ['MLM Genealogy Manager']],
        ['provision', 'de', ['MLM Commission Clerk']],
        ['support', 'de', ['MLM Support (read-only)']],
        ['verwaltung', 'de', ['MLM Administration']],
        ]


def test_demo_commission(demo):
    "Six months of commission: closed, approved and preview periods"
    output = subprocess.run(
        [sys.executable, '-m', 'tests.demo.inspect_commission',
            str(demo.config), DATABASE], capture_output=True, text=True,
        check=True, cwd=PROJECT_ROOT).stdout
    facts = json.loads(output)
    assert facts['plans'] == [
        ["Vitalis Karriereplan", 'payment', ['active']]]
    assert facts['period_states'] == ['closed'] * 4 + [
        'approved', 'calculated']
    assert facts['chain_verified']
    assert facts['orders'] > 0
    assert facts['returns'] > 0
    assert facts['late_lines'] > 0
    assert facts['clawback_lines'] > 0
    assert all(count > 0 for count in facts['lines_per_period'])
    assert facts['earned_matches_lines'] == [True] * 5
    assert facts['settlement_states'] == ['blocked', 'carried', 'posted']
    assert facts['numbers_without_gaps']
    assert facts['invoices_match']
    assert facts['statements_attached']
    assert facts['exports'] == sorted(
        'Provisionslauf %s.xlsx' % name
        for name in facts['period_names'][:5])
    leader = facts['portal']['leader@example.com']
    partner = facts['portal']['partner@example.com']
    assert leader['lines'] > 0 and leader['posted'] > 0
    assert leader['statements'] >= leader['posted']
    assert partner['lines'] > 0 and partner['statements'] > 0
