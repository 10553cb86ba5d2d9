# This file is part of the MLM suite. See LICENSE for details.
"""The demo organisation: partners, placements, customers, ranks, history.

``setup_network(size, today)`` runs inside an open transaction with the pool
ready and the company in the context.  The partners are written set-based
through the migration importer; moves, a termination with roll-up, status
changes and customer reassignments go through the ORM API so the history
screens show real events.
"""
import datetime as dt
import random

from trytond.pool import Pool
from trytond.transaction import Transaction

from mlm_network import bulk, tree
from mlm_network.partner_import import ImportReport, Row, write

__all__ = ['setup_network']

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes",
    "Ida", "Jonas", "Karla", "Lukas", "Mia", "Noah", "Olivia", "Paul",
    "Quirin", "Rosa", "Simon", "Tessa", "Ulrich", "Vera", "Wilhelm",
    "Xenia", "Yusuf", "Zoe"]
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
    "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krüger"]
RANKS = [
    # code, English, German
    ('PARTNER', "Partner", "Partner"),
    ('BRONZE', "Bronze Manager", "Bronze-Manager"),
    ('SILVER', "Silver Manager", "Silber-Manager"),
    ('GOLD', "Gold Manager", "Gold-Manager"),
    ('PLATINUM', "Platinum Director", "Platin-Direktor"),
    ('DIAMOND', "Diamond Director", "Diamant-Direktor"),
    ]
STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße",
    "Lindenstraße", "Kirchweg", "Am Markt", "Goethestraße", "Mühlenweg",
    "Bergstraße", "Rosenstraße", "Schillerplatz"]
CITIES = [
    # postal code, city
    ('10115', "Berlin"), ('20095', "Hamburg"), ('80331', "München"),
    ('50667', "Köln"), ('60311', "Frankfurt am Main"), ('70173', "Stuttgart"),
    ('40213', "Düsseldorf"), ('04109', "Leipzig"), ('01067', "Dresden"),
    ('30159', "Hannover"), ('90403', "Nürnberg"), ('28195', "Bremen"),
    ('44135', "Dortmund"), ('69117', "Heidelberg"), ('93047', "Regensburg")]
DEEP_LINE = 120
FIRST_NUMBER = 200001


def _germany():
    "The country of the partners' addresses (the company set-up makes it)"
    Country = Pool().get('country.country')
    if not Country.search([('code', '=', 'DE')], limit=1):
        Country.create([{'name': "Deutschland", 'code': 'DE', 'code3': 'DEU'}])


def setup_network(size=2000, today=None):
    "Build the demo organisation of about size partners; return a summary"
    pool = Pool()
    Date = pool.get('ir.date')
    # every date below is derived from today and none is after the
    # server's today: moves and status changes in the future are refused
    today = min(today or Date.today(), Date.today())
    rng = random.Random(20261126)
    company = Transaction().context['company']
    ranks = _ranks()
    _germany()
    rows = _partners(rng, size, today)
    report = write(rows, {}, company, ImportReport())
    distributors = _distributors()
    structures = _structures(rng, distributors)
    customers = _customers(rng, distributors, today)
    moves = _moves(rng, distributors, today)
    termination = _termination(distributors, today)
    statuses = _statuses(rng, distributors, today)
    records = _rank_records(rng, ranks, distributors, today)
    return {
        'partners': report.created,
        'addresses': report.addresses,
        'depth': report.max_depth,
        'structures': structures,
        'customers': customers,
        'moves': moves,
        'terminated': termination,
        'status_changes': statuses,
        'rank_records': records,
        }


def _ranks():
    pool = Pool()
    Rank = pool.get('mlm.rank')
    Lang = pool.get('ir.lang')
    ranks = Rank.create([{
                'name': english, 'code': code, 'level': level,
                } for level, (code, english, _) in enumerate(RANKS, 1)])
    if Lang.search([('code', '=', 'de'), ('translatable', '=', True)]):
        with Transaction().set_context(language='de'):
            german_ranks = Rank.browse(ranks)
            for rank, (_, _, german) in zip(german_ranks, RANKS):
                rank.name = german
            Rank.save(german_ranks)
    return ranks


def _name(rng):
    return '%s %s' % (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))


def _partners(rng, size, today):
    "A random sponsor tree, one deep line and joins over two years"
    size = max(size, DEEP_LINE + 10)
    start = today - dt.timedelta(days=730)
    rows = []
    join_dates = sorted(
        start + dt.timedelta(days=rng.randrange(0, 720))
        for _ in range(size - DEEP_LINE))
    # the newest partners join in the last weeks so that moves are possible
    for index, join_date in enumerate(join_dates):
        number = str(FIRST_NUMBER + index)
        if index == 0:
            sponsor = ''
        else:
            # prefer recent sponsors: a realistic, not too flat tree
            low = max(0, index - 1 - int(abs(rng.gauss(0, index / 3))))
            sponsor = str(FIRST_NUMBER + low)
        rows.append(_row(rng, len(rows) + 2, number, sponsor, join_date))
    # one deep line below an early partner
    sponsor = str(FIRST_NUMBER + 3)
    join_date = rows[3].join_date
    for index in range(DEEP_LINE):
        number = str(FIRST_NUMBER + size - DEEP_LINE + index)
        join_date = min(join_date + dt.timedelta(days=3), today)
        rows.append(_row(rng, len(rows) + 2, number, sponsor, join_date))
        sponsor = number
    rows.sort(key=lambda r: (r.join_date, r.number))
    return rows


def _row(rng, line, number, sponsor, join_date):
    "A partner with a German address (the Gutschrift needs it)"
    tax_status = rng.choices(
        ['regular', 'small_business', 'reverse_charge'], [60, 38, 2])[0]
    postal_code, city = rng.choice(CITIES)
    return Row(
        line=line, number=number, name=_name(rng), sponsor=sponsor,
        join_date=join_date, status='active', tax_status=tax_status,
        vat_id='ATU13585627' if tax_status == 'reverse_charge' else '',
        iban='', street='%s %s' % (rng.choice(STREETS), rng.randrange(1, 120)),
        postal_code=postal_code, city=city, country='DE')


def _distributors():
    Distributor = Pool().get('mlm.distributor')
    # one instance per id: iterating a large browse list is quadratic
    return [Distributor(d.id) for d in Distributor.search(
            [], order=[('join_date', 'ASC'), ('id', 'ASC')])]


def _structures(rng, distributors):
    "A binary and a 3-wide forced matrix, filled breadth-first set-based"
    pool = Pool()
    Structure = pool.get('mlm.structure')
    binary, matrix = Structure.create([{
                'name': "Binary", 'code': 'BIN', 'type': 'binary',
                'width': 2, 'rule': 'sponsor_preference', 'auto_place': True,
                }, {
                'name': "Matrix 3x9", 'code': 'MAT', 'type': 'matrix',
                'width': 3, 'rule': 'breadth_first', 'auto_place': True,
                }])
    for structure in [binary, matrix]:
        _place_all(structure, distributors)
    return 2


def _place_all(structure, distributors):
    """Place every distributor breadth-first below the nearest placed
    sponsor (spillover) and write the placements set-based"""
    sponsor_of = {d.id: d.sponsor.id if d.sponsor else None
        for d in distributors}
    width = structure.width
    placement_ids = bulk.allocate_ids('mlm_placement', len(distributors))
    placement_of, children, rows = {}, {}, []
    paths = {}
    for distributor, placement_id in zip(distributors, placement_ids):
        anchor = sponsor_of[distributor.id]
        while anchor is not None and anchor not in placement_of:
            anchor = sponsor_of[anchor]
        if anchor is None and rows:
            anchor = distributors[0].id
        if anchor is None:
            parent, position = None, 0
        else:
            parent, position = _first_free(
                placement_of[anchor], children, width)
        placement_of[distributor.id] = placement_id
        children.setdefault(parent, []).append(placement_id)
        paths[placement_id] = '%s%s/' % (
            paths[parent] if parent else '', placement_id)
        rows.append((placement_id, structure.id, distributor.id, parent,
                position, paths[placement_id],
                paths[placement_id].count('/') - 1, distributor))
    bulk.write_rows(
        'mlm_placement',
        ['id', 'structure', 'distributor', 'parent', 'position', 'path',
            'depth'], (r[:7] for r in rows))
    user = Transaction().user or None
    bulk.write_rows(
        'mlm_genealogy_event',
        ['company', 'kind', 'distributor', 'structure', 'placement',
            'valid_from', 'new_parent', 'new_position', 'requester',
            'approver'],
        ((r[7].company.id, 'placement', r[2], r[1], r[0], r[7].join_date,
                r[3], r[4], user, user) for r in rows))


def _first_free(anchor, children, width):
    queue = [anchor]
    while queue:
        following = []
        for node in queue:
            below = children.get(node, [])
            if len(below) < width:
                return node, len(below)
            following.extend(below)
        queue = following


def _customers(rng, distributors, today):
    "Retail and preferred customers, some reassigned later"
    pool = Pool()
    Party = pool.get('party.party')
    Assignment = pool.get('mlm.customer.assignment')
    count = max(10, len(distributors) // 8)
    parties = Party.create([{'name': _name(rng)} for _ in range(count)])
    for party in parties:
        distributor = rng.choice(distributors[:len(distributors) // 2])
        start = max(distributor.join_date, today - dt.timedelta(days=365))
        Assignment.assign(
            party, distributor, start,
            rng.choice(['retail', 'retail', 'preferred']))
    for party in parties[:max(2, count // 10)]:
        current, = Assignment.search([
                ('customer', '=', party.id), ('valid_to', '=', None)])
        other = rng.choice(distributors[:len(distributors) // 2])
        if other != current.distributor:
            Assignment.assign(
                party, other, today - dt.timedelta(days=rng.randrange(5, 60)),
                current.type, reason="Kundenwunsch: Betreuerwechsel")
    return count


def _users():
    "The requester and the approving Genealogy Manager of the demo moves"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    group = ModelData.get_id('mlm_network', 'group_mlm_genealogy')
    approvers = User.search([('groups', '=', group)], limit=1)
    if approvers:
        approver, = approvers
    else:
        approver, = User.create([{
                    'name': "Georg Genealogie", 'login': 'genealogie',
                    'groups': [('add', [group])]}])
    requester, = User.search([('id', '!=', approver.id), ('id', '!=', 0)],
        limit=1, order=[('id', 'ASC')])
    return requester, approver


def _moves(rng, distributors, today):
    "Moves of recent partners to another sponsor, effective after joining"
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    requester, approver = _users()
    recent = [d for d in distributors
        if (today - d.join_date).days < 60 and d.sponsor
        and (today - d.join_date).days > 12][:40]
    moved = 0
    for distributor in recent:
        if moved >= 8:
            break
        candidates = [d for d in distributors[:50]
            if d != distributor.sponsor and d.join_date <= distributor.join_date
            and not d.path.startswith(distributor.path)]
        if not candidates:
            continue
        date = distributor.join_date + dt.timedelta(
            days=rng.randrange(1, 5))
        Distributor.move_sponsor(
            distributor, rng.choice(candidates), min(date, today),
            "Falscher Sponsor bei der Registrierung", requester, approver)
        moved += 1
    return moved


def _termination(distributors, today):
    "Terminate a partner with a downline: the downline rolls up"
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    Event = pool.get('mlm.genealogy.event')
    last = Event.last_sponsor_change(distributors[0].company)
    date = max(today - dt.timedelta(days=3), last)
    for distributor in distributors[20:]:
        distributor = Distributor(distributor.id)
        if 2 <= len(distributor.children) <= 6 and distributor.sponsor:
            Distributor.set_status([distributor], 'terminated', date,
                "Kündigung durch den Vertriebspartner")
            return 1
    return 0


def _statuses(rng, distributors, today):
    "A few inactive and suspended partners"
    pool = Pool()
    Distributor = pool.get('mlm.distributor')
    changed = 0
    for distributor in rng.sample(distributors[100:], 30):
        distributor = Distributor(distributor.id)
        if distributor.status != 'active':
            continue
        status = 'suspended' if changed % 5 == 0 else 'inactive'
        date = max(today - dt.timedelta(days=rng.randrange(0, 30)),
            distributor.status_date or distributor.join_date)
        Distributor.set_status([distributor], status, date,
            "Keine Umsätze seit drei Monaten" if status == 'inactive'
            else "Verstoß gegen die Verhaltensregeln")
        changed += 1
    return changed


def _rank_records(rng, ranks, distributors, today):
    "Three closed months of ranks, by downline size, and one override"
    pool = Pool()
    Record = pool.get('mlm.rank.record')
    Distributor = pool.get('mlm.distributor')
    sizes = dict.fromkeys((d.id for d in distributors), 0)
    for distributor in Distributor.browse(distributors):
        for ancestor in tree.path_ids(distributor.path)[:-1]:
            sizes[ancestor] += 1
    first = today.replace(day=1)
    vlist = []
    for months in range(3, 0, -1):
        start = (first - dt.timedelta(days=28 * months)).replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
            days=1)
        for distributor in distributors:
            if distributor.join_date > end:
                continue
            size = sizes[distributor.id]
            level = min(len(ranks), 1 + sum(
                    1 for threshold in [2, 10, 40, 150, 600]
                    if size >= threshold))
            if rng.random() < 0.2:
                level = max(1, level - 1)
            personal = rng.randrange(40, 400)
            vlist.append({
                    'distributor': distributor.id,
                    'period_start': start,
                    'period_end': end,
                    'computed_rank': ranks[level - 1].id,
                    'pv': personal,
                    'gv': personal + 55 * size,
                    })
    records = Record.create(vlist)
    record = records[-1]
    Record.write([record], {
            'override_rank': ranks[-1].id,
            'override_reason': "Sonderregelung Vorstandsbeschluss",
            })
    return len(records)
