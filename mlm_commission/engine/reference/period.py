"""Reference period run: the engine's sequence, written as plain loops.

``run_period`` takes the same tables as the engine and a plain-dict state;
it returns a dict with ``qualified``, ``paid_as``, ``highest``, ``pv``,
``gv`` (lists), ``lines`` (list of dicts in canonical order, engine column
names, component/basis as names), ``carry_out`` and the next ``state``.
"""
from ..lines import SORT_KEY, COMPONENTS
from ..tables import ACTIVE, TERMINATED
from . import orders as order_components
from . import period_components as parts
from .ranks import qualify
from .volumes import personal_and_group


def initial_state(plan_set, partners, carry_in):
    """The plain-dict state before the first period."""
    rank_count = len(plan_set.rank_names)
    highest = partners.previous_highest.tolist()
    return {
        'highest': highest,
        'carry': [list(map(int, row)) for row in carry_in],
        'streak': [[0] * len(highest) for _ in range(rank_count)],
        'paid': [[r <= h for h in highest] for r in range(rank_count)],
        'ledger': {'lines': [], 'commissioned': {}, 'returned_pv': {}, 'returned_cv': {}},
    }


class _Context:
    def __init__(self, partners, orders, net):
        self.partners = partners
        self.orders = orders
        self.net = net
        self.sponsor = partners.sponsor.tolist()
        self._matrix = {}

    def buyer(self, order):
        return int(self.orders.partner[order])

    def volume(self, order, kind):
        return self.net[order][0 if kind == 'pv' else 1]

    def order_day(self, order):
        return int(self.orders.order_day[order])

    def join_day(self, partner):
        return int(self.partners.join_day[partner])

    def matrix_parent(self, width):
        if width not in self._matrix:
            self._matrix[width] = order_components.matrix_parents(self.partners, width)
        return self._matrix[width]


def run_period(plan_set, partners, orders, period, returns, state):
    """One period, the engine's steps in the same order (see module docstring)."""
    version = plan_set.version_at(period.end_day)
    size = len(partners.ids)
    present = [int(partners.join_day[n]) <= period.end_day
               and partners.status[n] != TERMINATED for n in range(size)]
    status_active = [partners.status[n] == ACTIVE for n in range(size)]
    net, events, later_returns = {}, [], []
    for o in range(len(orders.ids)):
        if orders.period[o] == period.index and orders.paid_day[o] >= 0:
            net[o] = [int(orders.pv[o]), int(orders.cv[o])]
    for r in range(len(returns.order)):
        if returns.period[r] != period.index:
            continue
        o = int(returns.order[r])
        if orders.period[o] == period.index:
            net[o][0] -= int(returns.pv[r])
            net[o][1] -= int(returns.cv[r])
        else:
            later_returns.append((o, int(returns.pv[r]), int(returns.cv[r])))
    for o, (pv, cv) in sorted(net.items()):
        events.append((int(orders.partner[o]), bool(orders.customer[o]), pv, cv))
    for o, pv, cv in later_returns:
        events.append((int(orders.partner[o]), bool(orders.customer[o]), -pv, -cv))
    pv, cv, gv = personal_and_group(partners, events, version.customer_volume_counts)
    eligible = [present[n] and status_active[n] for n in range(size)]
    qualified, paid_as, highest = qualify(version, partners, pv, gv, eligible, state['highest'])
    ctx = _Context(partners, orders, net)
    ctx.present, ctx.paid_as, ctx.pv, ctx.cv = present, paid_as, pv, cv
    ctx.active = [eligible[n] and pv[n] >= version.activity_min_pv for n in range(size)]
    ctx.company_pv = sum(e[2] for e in events)
    ctx.company_cv = sum(e[3] for e in events)
    lines = []
    for o in sorted(net):
        order_version = plan_set.version_at(int(orders.order_day[o]))
        for name in ('stairstep', 'unilevel', 'matrix', 'fast_start'):
            plan = getattr(order_version, name)
            if plan is not None:
                getattr(order_components, name)(ctx, plan, o, order_version.index, lines)
    carry_out, legs, cycles = state['carry'], None, None
    if version.binary is not None:
        carry_out, legs, cycles = parts.binary(ctx, version.binary, state['carry'],
                                               version.index, lines)
    streak = [[state['streak'][r][n] + 1 if qualified[n] >= r else 0 for n in range(size)]
              for r in range(len(state['streak']))]
    paid = [row[:] for row in state['paid']]
    if version.rank_advancement is not None:
        parts.rank_advancement(ctx, version.rank_advancement, streak, paid, version.index, lines)
    parts.pools(ctx, version.pools, version.index, lines)
    ledger = {key: (dict(value) if isinstance(value, dict) else list(value))
              for key, value in state['ledger'].items()}
    parts.clawback(ledger, later_returns, lines)
    if version.matching is not None:
        parts.matching(ctx, version.matching, lines, version.index, lines)
    lines.sort(key=lambda item: tuple(
        COMPONENTS.index(item[k]) if k == 'component' else item[k] for k in SORT_KEY))
    if version.payout_cap is not None:
        cap = version.payout_cap
        parts.payout_cap(lines, ctx.company_pv if cap.volume == 'pv' else ctx.company_cv, cap)
    for item in lines:
        if item['source_order'] >= 0 and item['reverses_period'] < 0:
            ledger['lines'].append((item, period.index))
    for o, volumes in net.items():
        ledger['commissioned'][o] = tuple(volumes)
    next_state = {'highest': highest, 'carry': carry_out, 'streak': streak, 'paid': paid,
                  'ledger': ledger}
    return {'qualified': qualified, 'paid_as': paid_as, 'highest': highest, 'pv': pv, 'gv': gv,
            'lines': lines, 'carry_out': carry_out, 'state': next_state}


def run_scenario(plan_set, scenario):
    """All periods of a loaded scenario; returns the list of period dicts."""
    state = initial_state(plan_set, scenario.partners, scenario.carry_in)
    results = []
    for period in scenario.periods:
        result = run_period(plan_set, scenario.partners, scenario.orders, period,
                            scenario.returns, state)
        results.append(result)
        state = result['state']
    return results
