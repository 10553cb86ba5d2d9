"""Reference period components: binary, matching, pools, rank advancement, cap, clawback."""
from .common import amount_cents, ancestors, largest_remainder, line

LEFT, RIGHT = 0, 1


def binary(ctx, plan, carry_in, version, out):
    """Return ``(carry_out, legs, cycles)`` lists; append lines to ``out``."""
    partners = ctx.partners
    parent = partners.binary_parent.tolist()
    leg_of = partners.binary_leg.tolist()
    volume = ctx.pv if plan.volume == 'pv' else ctx.cv
    size = len(parent)
    legs = [[0, 0] for _ in range(size)]
    for node in range(size):
        below = node
        for above in ancestors(parent, node):
            legs[above][leg_of[below]] += volume[node]
            below = above
    carry_out, cycles_out = [], []
    for node in range(size):
        left = max(carry_in[node][LEFT] + legs[node][LEFT], 0)
        right = max(carry_in[node][RIGHT] + legs[node][RIGHT], 0)
        earning = ctx.active[node] and ctx.paid_as[node] >= plan.min_rank
        rank = ctx.paid_as[node]
        value = int(plan.cycle_values[rank]) if rank >= 0 else plan.cycle_value
        cycles = 0
        if plan.pairing == 'weak_leg_percent':
            weak = min(left, right) if earning else 0
            paid = weak
            if plan.max_earnings != -1 and plan.rate:
                paid = min(weak, plan.max_earnings * 1_000_000 // plan.rate)
            used = weak if plan.excess == 'flush' else paid
            left, right = left - used, right - used
            if paid:
                _binary_line(ctx, out, node, paid, plan.rate, 'volume', version)
        else:
            if plan.pairing == 'fixed':
                need = (plan.left, plan.right)
            else:
                need = (plan.weak, plan.strong) if left <= right else (plan.strong, plan.weak)
            cycles = min(left // need[0], right // need[1]) if earning else 0
            paid = cycles
            if plan.max_cycles != -1:
                paid = min(paid, plan.max_cycles)
            if plan.max_earnings != -1 and value > 0:
                paid = min(paid, plan.max_earnings // value)
            used = cycles if plan.excess == 'flush' else paid
            left, right = left - used * need[0], right - used * need[1]
            if paid:
                _binary_line(ctx, out, node, paid * 100, value * 10_000, 'cycles', version)
        weak_is_left = max(carry_in[node][LEFT] + legs[node][LEFT], 0) <= \
            max(carry_in[node][RIGHT] + legs[node][RIGHT], 0)
        if plan.strong_leg_carry_cap != -1:
            if weak_is_left:
                right = min(right, plan.strong_leg_carry_cap)
            else:
                left = min(left, plan.strong_leg_carry_cap)
        if plan.flush_inactive and not ctx.active[node]:
            left = right = 0
        carry_out.append([left, right])
        cycles_out.append(cycles)
    return carry_out, legs, cycles_out


def _binary_line(ctx, out, node, base, rate, basis, version):
    amount = amount_cents(base, rate)
    if amount:
        out.append(line(node, 'binary', base, rate, amount, ctx.paid_as[node], version,
                        basis=basis))


def matching(ctx, plan, lines, version, out):
    """Matching lines on each earner's net earnings of the matched components."""
    earned = {}
    for item in lines:
        if item['component'] in plan.components:
            earned[item['beneficiary']] = earned.get(item['beneficiary'], 0) + item['amount']
    for earner in sorted(earned):
        if not earned[earner]:
            continue
        upline = ancestors(ctx.sponsor, earner)
        if plan.mode == 'generation':
            upline = [n for n in upline if ctx.paid_as[n] >= plan.generation_rank]
        for step, (node, rate) in enumerate(zip(upline, plan.rates), start=1):
            if ctx.active[node] and ctx.paid_as[node] >= plan.min_rank:
                amount = amount_cents(earned[earner], int(rate))
                if amount:
                    out.append(line(node, 'matching', earned[earner], int(rate), amount,
                                    ctx.paid_as[node], version, source_partner=earner,
                                    level=len(ancestors(ctx.sponsor, earner))
                                    - len(ancestors(ctx.sponsor, node)),
                                    paid_level=step, basis='earnings'))


def pools(ctx, pool_list, version, out):
    """Pool lines: each pool split over its qualifiers by largest remainder."""
    for number, pool in enumerate(pool_list, start=1):
        volume = max(ctx.company_pv if pool.volume == 'pv' else ctx.company_cv, 0)
        total = amount_cents(volume, pool.share)
        members = [n for n in range(len(ctx.active))
                   if ctx.active[n] and ctx.paid_as[n] >= pool.min_rank
                   and pool.shares[ctx.paid_as[n]] > 0]
        weights = [int(pool.shares[ctx.paid_as[n]]) for n in members]
        for node, weight, part in zip(members, weights, largest_remainder(total, weights)):
            if part:
                out.append(line(node, 'pool', volume, pool.share, part, ctx.paid_as[node],
                                version, paid_level=number, basis='company_volume',
                                weight=weight, weight_total=sum(weights)))


def rank_advancement(ctx, plan, streak, paid, version, out):
    """One-time bonus lines for ranks held long enough; marks them paid."""
    for node in range(len(ctx.active)):
        for rank in range(len(plan.bonuses)):
            bonus = int(plan.bonuses[rank])
            if bonus and streak[rank][node] >= plan.hold_periods and not paid[rank][node] \
                    and ctx.active[node]:
                out.append(line(node, 'rank_advancement', bonus, 1_000_000, bonus, rank,
                                version, paid_level=rank + 1, basis='bonus'))
                paid[rank][node] = True


def payout_cap(lines, company_volume, plan):
    """Scale the period's lines down to the cap (largest remainder, line order)."""
    limit = amount_cents(max(company_volume, 0), plan.share)
    capped = [item for item in lines if item['reverses_period'] < 0 and item['amount'] > 0]
    if sum(item['amount'] for item in capped) > limit:
        parts = largest_remainder(limit, [item['amount'] for item in capped])
        for item, part in zip(capped, parts):
            item['amount'] = part


def clawback(ledger, returns_now, period_lines):
    """Negate stored lines of returned orders; ``returns_now``: (order, pv, cv) tuples."""
    before = {o: (ledger['returned_pv'].get(o, 0), ledger['returned_cv'].get(o, 0))
              for o, _, _ in returns_now}
    for order, pv, cv in returns_now:
        ledger['returned_pv'][order] = ledger['returned_pv'].get(order, 0) + pv
        ledger['returned_cv'][order] = ledger['returned_cv'].get(order, 0) + cv
    for stored, period in ledger['lines']:
        order = stored['source_order']
        if order not in before:
            continue
        index = 0 if stored['basis'] == 'pv' else 1
        volume = ledger['commissioned'][order][index]
        after = (ledger['returned_pv'][order], ledger['returned_cv'][order])[index]
        claw = (_proportion(stored['amount'], after, volume)
                - _proportion(stored['amount'], before[order][index], volume))
        if claw:
            reversed_line = dict(stored, amount=-claw, uncapped=-claw, reverses_period=period)
            period_lines.append(reversed_line)


def _proportion(amount, part, whole):
    from decimal import ROUND_HALF_UP, Decimal
    return int((Decimal(amount) * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))
