"""Pure compensation engine of the MLM suite (no trytond import).

Public API (for the ERP layer and the simulator)::

    from mlm_commission.engine import (
        load_plan, read_plan, load_scenario, read_scenario, run_period,
        run_scenario, PlanSet, PeriodState, PeriodResult, EngineInputError,
        Partners, Orders, Returns, Period)

    plan_set = load_plan(data)            # dict from JSON/YAML -> PlanSet (validated)
    plan_set.version_at(date)             # PlanVersion valid on a date
    scenario = load_scenario(data, plan_set)  # validated column tables (simulator)
    # the ERP layer builds Partners/Orders/Returns (tables.py) from SQL directly
    result = run_period(plan_set, partners, orders, period,
                        returns=None, carry_in=None, previous=None)
    result.ranks      # qualified / paid_as / highest (int16[N]) + qualification figures
    result.line_batches  # list of columnar Lines (ints: cents, micro-rates) for bulk writes
    result.lines      # all lines in canonical order (sorted on first use)
    result.carry_out  # int64[N, 2] binary carry (left, right) in cents
    result.totals()   # payout, clawback, by_component in cents
    result.to_json()  # the period as the documented JSON dict
    result.state      # PeriodState to pass as ``previous`` to the next period

Money is int64 cents inside, decimal strings outside; the rounding rule is in
:mod:`.money` (ADR 0010).  Plans are documented in docs/plans.md.
"""
import importlib

_EXPORTS = {
    'EngineInputError': 'errors', 'PeriodResult': 'period', 'PeriodState': 'period',
    'run_period': 'period', 'PlanSet': 'plan', 'PlanVersion': 'plan', 'load_plan': 'plan',
    'read_plan': 'plan', 'Scenario': 'scenario', 'load_scenario': 'scenario',
    'read_scenario': 'scenario', 'run_scenario': 'simulate', 'Partners': 'tables',
    'Orders': 'tables', 'Returns': 'tables', 'Period': 'tables',
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    """Import the public names lazily, so ``mlm --help`` does not load numpy (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(importlib.import_module(f'.{_EXPORTS[name]}', __name__), name)
