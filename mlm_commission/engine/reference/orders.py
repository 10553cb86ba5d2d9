"""Reference order components: stair-step, breakaway, unilevel, matrix, fast start.

Each function walks the sponsor (or matrix) line of every order one partner
at a time.  ``ctx`` is the reference period context (:mod:`.period`).
"""
from collections import deque

from .common import amount_cents, ancestors, depth_of, line


def _pay(ctx, out, component, beneficiary, order, base, rate, basis, level, paid_level, version):
    amount = amount_cents(base, rate)
    if amount:
        out.append(line(beneficiary, component, base, rate, amount, ctx.paid_as[beneficiary],
                        version, source_partner=ctx.buyer(order), source_order=order,
                        level=level, paid_level=paid_level, basis=basis))


def _rank_rate(ctx, rates, node):
    rank = ctx.paid_as[node]
    return rates[rank] if rank >= 0 and ctx.active[node] else 0


def stairstep(ctx, plan, order, version, out):
    """Differential / tier-slot and breakaway lines of one order, walking up the line."""
    buyer = ctx.buyer(order)
    base = ctx.volume(order, plan.volume)
    line_up = [buyer] + ancestors(ctx.sponsor, buyer)
    rates = [int(r) for r in plan.rates]
    if plan.variant == 'differential':
        paid_rate, step = 0, 0
        for level, node in enumerate(line_up):
            rate = _rank_rate(ctx, rates, node)
            if rate > paid_rate:
                step += 1
                _pay(ctx, out, 'stairstep', node, order, base, rate - paid_rate, plan.volume,
                     level, step, version)
                paid_rate = rate
    else:
        for rank in range(len(rates)):
            increment = rates[rank] - (rates[rank - 1] if rank else 0)
            if increment <= 0:
                continue
            for level, node in enumerate(line_up):
                if ctx.active[node] and ctx.paid_as[node] >= rank:
                    _pay(ctx, out, 'stairstep', node, order, base, increment, plan.volume,
                         level, rank + 1, version)
                    break
    if plan.breakaway_rank >= 0:
        leaders = [(level, node) for level, node in enumerate(line_up)
                   if ctx.paid_as[node] >= plan.breakaway_rank]
        for generation, rate in enumerate(plan.generations, start=1):
            if generation < len(leaders):
                level, node = leaders[generation]
                if ctx.active[node]:
                    _pay(ctx, out, 'breakaway', node, order, base, int(rate), plan.volume,
                         level, generation, version)


def unilevel(ctx, plan, order, version, out):
    """Unilevel lines of one order: count levels upwards, with the chosen compression."""
    buyer = ctx.buyer(order)
    base = ctx.volume(order, plan.volume)
    upline = ancestors(ctx.sponsor, buyer)
    table = plan.rates.tolist()

    def rate_for(node, level):
        rank = ctx.paid_as[node]
        return table[rank][level - 1] if rank >= 0 and ctx.active[node] else 0

    if plan.compression == 'dynamic':
        level = 1
        for distance, node in enumerate(upline, start=1):
            if level > plan.levels:
                break
            if rate_for(node, level) > 0:
                _pay(ctx, out, 'unilevel', node, order, base, rate_for(node, level),
                     plan.volume, distance, level, version)
                level += 1
        return
    counted = [(d, n) for d, n in enumerate(upline, start=1)
               if plan.compression == 'none' or ctx.present[n]]
    for level, (distance, node) in enumerate(counted[:plan.levels], start=1):
        _pay(ctx, out, 'unilevel', node, order, base, rate_for(node, level), plan.volume,
             distance, level, version)


def matrix_parents(partners, width):
    """Breadth-first spillover placement, one partner at a time."""
    sponsor = partners.sponsor.tolist()
    parent = partners.matrix_parent.tolist()
    children = {}
    for node, above in enumerate(parent):
        if above != -1:
            children.setdefault(above, []).append(node)
    join = partners.join_day.tolist()

    def effective_join(node):
        return max(join[n] for n in [node] + ancestors(sponsor, node))

    waiting = [n for n in range(len(parent)) if parent[n] == -1 and sponsor[n] != -1]
    waiting.sort(key=lambda n: (effective_join(n), depth_of(sponsor, n), n))
    for node in waiting:
        queue = deque([sponsor[node]])
        while True:
            host = queue.popleft()
            if len(children.get(host, [])) < width:
                break
            queue.extend(children[host])
        parent[node] = host
        children.setdefault(host, []).append(node)
    return parent


def matrix(ctx, plan, order, version, out):
    """Matrix lines of one order: one per matrix level above the buyer."""
    buyer = ctx.buyer(order)
    base = ctx.volume(order, plan.volume)
    upline = ancestors(ctx.matrix_parent(plan.width), buyer)
    for level, (node, rate) in enumerate(zip(upline, plan.rates), start=1):
        if ctx.active[node]:
            _pay(ctx, out, 'matrix', node, order, base, int(rate), plan.volume, level, level,
                 version)


def fast_start(ctx, plan, order, version, out):
    """Fast-start lines of one order within the window after the buyer joined."""
    buyer = ctx.buyer(order)
    if ctx.order_day(order) - ctx.join_day(buyer) > plan.days:
        return
    base = ctx.volume(order, plan.volume)
    upline = ancestors(ctx.sponsor, buyer)
    for generation, (node, rate) in enumerate(zip(upline, plan.rates), start=1):
        if ctx.active[node] and ctx.paid_as[node] >= plan.min_rank:
            _pay(ctx, out, 'fast_start', node, order, base, int(rate), plan.volume,
                 generation, generation, version)
