"""Scenario validation: every problem is reported with its JSON path."""
import pytest

from mlm_commission.engine import EngineInputError, load_plan, load_scenario

PLAN = load_plan({'name': 'Test', 'currency': 'EUR', 'versions': [{
    'id': 'v1', 'valid_from': '2024-01-01', 'ranks': [{'name': 'R1'}],
    'components': {'matrix': {'width': 2, 'rates': ['0.05']}}}]})


def problems(data):
    with pytest.raises(EngineInputError) as error:
        load_scenario(data, PLAN)
    return error.value.messages


def period(pid='2024-07', start='2024-07-01', end='2024-07-31', **extra):
    return {'id': pid, 'start': start, 'end': end, **extra}


def order(oid, partner='A', day='2024-07-10', paid='2024-07-10', **extra):
    return {'id': oid, 'partner': partner, 'order_date': day, 'paid_date': paid,
            'pv': '10', 'cv': '10', **extra}


A = {'id': 'A', 'join_date': '2024-01-01'}


def test_placement_conflicts_are_reported():
    partners = [A] + [{'id': f'B{i}', 'sponsor': 'A', 'join_date': '2024-01-01',
                       'binary': {'parent': 'A', 'leg': 'left'}, 'matrix_parent': 'A'}
                      for i in range(3)]
    assert problems({'partners': partners, 'periods': [period()]}) == [
        "$.partners[2].binary: left leg of partner 'A' is already taken by 'B0'",
        "$.partners[3].binary: left leg of partner 'A' is already taken by 'B1'",
        "$.partners[3].matrix_parent: partner 'A' already has 2 matrix children "
        '(matrix width 2)']


def test_duplicates_dates_and_periods_are_reported():
    data = {'partners': [A, A], 'carry_in': [{'partner': 'Z', 'left': '1'}], 'periods': [
        period(orders=[order('O1'), order('O1', paid='2024-08-02')]),
        period('2024-07', '2024-08-02', '2024-08-01',
               orders=[order('O2', day='2023-12-31', paid=None)])]}
    assert problems(data) == [
        "$.partners[1].id: duplicate partner id 'A'",
        "$.carry_in[0].partner: unknown partner 'Z'",
        "$.periods[1].id: duplicate period id '2024-07'",
        '$.periods[1].end: period ends before it starts',
        '$.periods[1].start: periods must be consecutive: start must be the day after the '
        'previous period ends',
        "$.periods[0].orders[1].id: duplicate order id 'O1'",
        '$.periods[0].orders[1].paid_date: paid date must lie between the order date and the '
        'period end',
        '$.periods[1].orders[0].order_date: no plan version is valid on this date '
        '(first valid from 2024-01-01)']


def test_bad_returns_are_reported():
    data = {'partners': [A], 'periods': [
        period(orders=[order('paid'), order('unpaid', paid=None)],
               returns=[{'order': 'later', 'date': '2024-07-20'}]),
        period('2024-08', '2024-08-01', '2024-08-31', orders=[order('later', day='2024-08-05',
                                                                    paid='2024-08-05')],
               returns=[{'order': 'unpaid', 'date': '2024-08-02'},
                        {'order': 'paid', 'date': '2024-07-31'},
                        {'order': 'ghost', 'date': '2024-08-02'}])]}
    assert problems(data) == [
        '$.periods[0].returns[0].order: order belongs to a later period',
        '$.periods[1].returns[0].order: an unpaid order cannot be returned',
        '$.periods[1].returns[1].date: return date must lie in the period and not before the '
        'order date',
        "$.periods[1].returns[2].order: unknown order 'ghost'"]


def test_schema_errors_come_with_their_paths():
    messages = problems({'partners': [{'id': 'A'}], 'periods': [], 'extra': 1})
    assert messages == [
        "$: Additional properties are not allowed ('extra' was unexpected)",
        "$.partners[0]: 'join_date' is a required property",
        '$.periods: [] should be non-empty']
