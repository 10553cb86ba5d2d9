"""Reference rank qualification: one partner at a time, deepest partners first."""
from .common import ancestors, depth_of


def qualify(version, partners, pv, gv, eligible, previous_highest):
    """Return dicts ``qualified``, ``paid_as``, ``highest`` (lists of rank indices)."""
    sponsor = partners.sponsor.tolist()
    size = len(sponsor)
    children = [[] for _ in range(size)]
    for node, parent in enumerate(sponsor):
        if parent != -1:
            children[parent].append(node)
    downline = [[] for _ in range(size)]
    for node in range(size):
        for above in ancestors(sponsor, node):
            downline[above].append(node)
    override = partners.rank_override.tolist()
    floor = previous_highest if version.career == 'highest' else [-1] * size
    qualified, paid_as = [-1] * size, [-1] * size
    for node in sorted(range(size), key=lambda n: -depth_of(sponsor, n)):
        best = -1
        for rank, rule in enumerate(version.ranks):
            if eligible[node] and _meets(rule, node, children, downline, pv, gv, paid_as):
                best = rank
        qualified[node] = best
        paid_as[node] = override[node] if override[node] != -1 else max(best, floor[node])
    highest = [max(previous_highest[n], qualified[n]) for n in range(size)]
    return qualified, paid_as, highest


def _meets(rule, node, children, downline, pv, gv, paid_as):
    if pv[node] < rule.min_pv:
        return False
    legs = [gv[c] for c in children[node]]
    caps = [_cap(rule.min_gv, rule.max_leg_share)] * len(legs)
    if legs and rule.strongest_leg_cap != -1:
        strongest = legs.index(max(legs))
        caps[strongest] = min(caps[strongest], _cap(rule.min_gv, rule.strongest_leg_cap))
    if pv[node] + sum(min(v, c) for v, c in zip(legs, caps)) < rule.min_gv:
        return False
    qualified_legs = 0
    for child in children[node]:
        in_leg = [child] + downline[child]
        by_rank = rule.leg_min_rank != -1 and max(paid_as[n] for n in in_leg) >= rule.leg_min_rank
        by_volume = rule.leg_min_volume != -1 and gv[child] >= rule.leg_min_volume
        qualified_legs += by_rank or by_volume
    return qualified_legs >= rule.leg_count


def _cap(requirement, share):
    from .common import amount_cents
    return float('inf') if share == -1 else amount_cents(requirement, share)
