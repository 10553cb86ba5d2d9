"""Multi-period simulation of a scenario: each period's state feeds the next."""
from .period import run_period
from .plan import read_plan
from .scenario import read_scenario


def run_scenario(plan_set, scenario):
    """Run every period of ``scenario`` in order; return the :class:`PeriodResult` list."""
    results = []
    previous = None
    for period in scenario.periods:
        result = run_period(plan_set, scenario.partners, scenario.orders, period,
                            returns=scenario.returns, carry_in=scenario.carry_in,
                            previous=previous)
        results.append(result)
        previous = result.state
    return results


def simulate_files(plan_path, scenario_path):
    """Load and validate both files, then run the scenario: ``(plan_set, results)``."""
    plan_set = read_plan(plan_path)
    scenario = read_scenario(scenario_path, plan_set)
    return plan_set, run_scenario(plan_set, scenario)
