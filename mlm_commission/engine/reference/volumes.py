"""Reference volumes: each order's volume walks up to every ancestor."""
from .common import ancestors


def personal_and_group(partners, events, customer_counts):
    """``(pv, cv, gv)`` lists from events ``(partner, customer, pv, cv)``."""
    size = len(partners.ids)
    pv, cv, gv = [0] * size, [0] * size, [0] * size
    sponsor = partners.sponsor.tolist()
    for partner, customer, event_pv, event_cv in events:
        if customer and not customer_counts:
            continue
        pv[partner] += event_pv
        cv[partner] += event_cv
        for node in [partner] + ancestors(sponsor, partner):
            gv[node] += event_pv
    return pv, cv, gv
