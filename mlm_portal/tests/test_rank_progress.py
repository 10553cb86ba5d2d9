# This file is part of the MLM suite. See LICENSE for details.
"""Route tests of the dashboard's progress to the next rank, with exact
figures from a real commission run.

Plan P1 (career highest; own orders of 50 PV each):

- Consultant: PV 100;
- Manager: PV 100, GV 2,000, each leg at most 40 % (800), the strongest
  at most 30 % (600);
- Director: PV 200, GV 3,000, 2 legs with a Manager or 1,500 GV.

September 2024 is the open period, calculated:

- Anna (PV 150) sponsors Ben (PV 1,000), Dora (PV 300) and Eve (no
  order): Anna's GV 1,450 counts 150 + 600 (Ben, strongest leg) + 300 =
  1,050 for Manager.
- Gina (Manager since August, PV 250) sponsors Hank, under him Ivy
  (Manager since August), and Jo (PV 400): Hank's leg has a Manager
  (two levels down), Jo's leg neither a Manager nor 1,500 GV.
- Lena is inactive.
"""
import datetime as dt
import re
from decimal import Decimal

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.protocols.wrappers import Response
from trytond.tests.test_tryton import DB_NAME
from trytond.wsgi import app

from mlm_commission.tests.tools import (
    calculate, create_partner, create_plan, create_product, create_ranks,
    post_invoice, setup_company)

from ..rank_progress import qualifying_group_volume
from .test_commission_pages import CommissionRouteTestCase
from .test_routes import PortalClient
from .tools import PASSWORD, create_login, csrf_of

BASE = '/%s/portal' % DB_NAME
SEPTEMBER = dt.date(2024, 9, 1)
AUGUST = (dt.date(2024, 8, 1), dt.date(2024, 8, 31))
P1_PLAN = {
    'name': 'P1 ranks',
    'currency': 'EUR',
    'versions': [{
            'id': 'p1',
            'valid_from': '2024-01-01',
            'career': 'highest',
            'ranks': [
                {'name': 'Consultant', 'min_pv': '100'},
                {'name': 'Manager', 'min_pv': '100', 'min_gv': '2000',
                    'max_leg_share': '0.4', 'strongest_leg_cap': '0.3'},
                {'name': 'Director', 'min_pv': '200', 'min_gv': '3000',
                    'legs': {'count': 2, 'min_rank': 'Manager',
                        'min_volume': '1500'}},
                ],
            'components': {
                'stairstep': {
                    'rates': {'Consultant': '0.05', 'Manager': '0.08',
                        'Director': '0.10'}},
                },
            }],
    }


def progress_lines(text):
    "The conditions and the figures' date of the dashboard, as plain text"
    match = re.search(r'<div id="rank-progress">(.*?)</div>', text, re.S)
    if not match:
        return None
    items = re.findall(r'<(?:li|p)[^>]*>(.*?)</(?:li|p)>', match.group(1),
        re.S)
    return [' '.join(re.sub(r'<[^>]+>', ' ', i).split()) for i in items]


class RankProgressTestCase(CommissionRouteTestCase):
    "Dashboard: progress to the next rank"
    ids = {}

    @classmethod
    def build(cls):
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        Distributor = pool.get('mlm.distributor')
        RankRecord = pool.get('mlm.rank.record')
        company = setup_company()
        with set_company(company):
            _, manager, _ = create_ranks(
                'Consultant', 'Manager', 'Director')
            anna = create_partner("Anna Leader")
            ben = create_partner("Ben Builder", anna)
            dora = create_partner("Dora Direct", anna)
            eve = create_partner("Eve Empty", anna)
            gina = create_partner("Gina Manager")
            hank = create_partner("Hank Middle", gina)
            ivy = create_partner("Ivy Manager", hank)
            jo = create_partner("Jo Seller", gina)
            lena = create_partner("Lena Paused")
            Distributor.set_status([lena], 'inactive', dt.date(2024, 8, 1))
            RankRecord.create([{
                        'distributor': d.id,
                        'period_start': AUGUST[0], 'period_end': AUGUST[1],
                        'computed_rank': manager.id,
                        } for d in [gina, ivy]])
            product = create_product("Unit", '50', '50', '50')
            plan = create_plan(company, P1_PLAN)
            period = Period.create_for(plan, SEPTEMBER)
            for partner, quantity in [(anna, 3), (ben, 20), (dora, 6),
                    (gina, 5), (jo, 8)]:
                post_invoice(company, partner.party, dt.date(2024, 9, 10),
                    (product, quantity))
            calculate(period)
            for partner in [anna, ben, dora, eve, gina, lena]:
                create_login(partner, '%s@example.com'
                    % partner.party.name.split()[0].lower())
        cls.ids = {'company': company.id, 'plan': plan.id,
            'september': period.id}

    def login(self, name, lang='en'):
        client = PortalClient(app, Response)
        client.set_cookie('mlm_portal_lang', lang, path=BASE + '/')
        page = client.get(BASE + '/login')
        response = client.post(BASE + '/login', data={
                'email': '%s@example.com' % name, 'password': PASSWORD,
                'csrf_token': csrf_of(page.text)})
        self.assertEqual(response.status_code, 303, response.text)
        return client

    def dashboard(self, name, lang='en'):
        response = self.login(name, lang).get(BASE + '/dashboard')
        self.assertEqual(response.status_code, 200, response.text)
        return response.text

    def test_capped_group_volume(self):
        "Anna: the strongest leg counts 600 of its 1,000 for Manager"
        text = self.dashboard('anna')
        self.assertIn('<dt>Highest rank</dt><dd>Consultant</dd>', text)
        self.assertIn('Next rank: <strong>Manager</strong>', text)
        self.assertEqual(progress_lines(text), [
                'Figures of 2024-09-01 – 2024-09-30, as of 2024-09-30.',
                'Personal volume (PV): 150 of 100 — met',
                'Group volume (GV): 1,050 of 2,000 — 950 missing '
                'each leg counts up to 800; the strongest leg up to 600; '
                'group volume in total 1,450',
                ])

    def test_german(self):
        "The conditions in German with German numbers and dates"
        self.assertEqual(progress_lines(self.dashboard('anna', 'de')), [
                'Zahlen für 01.09.2024 – 30.09.2024, Stand 30.09.2024.',
                'Eigenumsatz (PV): 150 von 100 — erfüllt',
                'Gruppenumsatz (GV): 1.050 von 2.000 — 950 fehlen '
                'jede Linie zählt bis 800; die stärkste Linie bis 600; '
                'Gruppenumsatz insgesamt 1.450',
                ])

    def test_single_leg(self):
        "Ben and Dora have no legs: their own volume only"
        self.assertEqual(progress_lines(self.dashboard('ben'))[1:], [
                'Personal volume (PV): 1,000 of 100 — met',
                'Group volume (GV): 1,000 of 2,000 — 1,000 missing '
                'each leg counts up to 800; the strongest leg up to 600; '
                'group volume in total 1,000',
                ])
        self.assertEqual(progress_lines(self.dashboard('dora'))[2],
            'Group volume (GV): 300 of 2,000 — 1,700 missing '
            'each leg counts up to 800; the strongest leg up to 600; '
            'group volume in total 300')

    def test_legs_by_rank_deep_in_the_leg(self):
        "Gina: Hank's leg has a Manager two levels down, Jo's leg not"
        text = self.dashboard('gina')
        self.assertIn('<dt>Highest rank</dt><dd>Manager</dd>', text)
        self.assertIn('Next rank: <strong>Director</strong>', text)
        self.assertEqual(progress_lines(text)[1:], [
                'Personal volume (PV): 250 of 200 — met',
                'Group volume (GV): 650 of 3,000 — 2,350 missing',
                'Qualified frontline legs: 1 of 2 — 1 missing '
                'a leg qualifies with a partner paid as Manager or higher '
                'or with a group volume of 1,500',
                ])

    def test_no_rank_yet(self):
        "Eve has no rank: the first rank and what it needs"
        text = self.dashboard('eve')
        self.assertIn('Next rank: <strong>Consultant</strong>', text)
        self.assertEqual(progress_lines(text)[1:], [
                'Personal volume (PV): 0 of 100 — 100 missing'])

    def test_inactive(self):
        "Lena is inactive: the status is a missing condition"
        self.assertEqual(progress_lines(self.dashboard('lena'))[1:], [
                'Status active: Inactive — missing',
                'Personal volume (PV): 0 of 100 — 100 missing'])

    def test_figures_of_the_last_computed_period(self):
        "An open period without a run: the figures of the last computed one"
        self.open_october()
        text = self.dashboard('anna')
        self.assertIn('<dt>Preview</dt><dd>No run yet</dd>', text)
        self.assertEqual(progress_lines(text)[0],
            'Figures of 2024-09-01 – 2024-09-30, as of 2024-09-30.')
        self.assertEqual(progress_lines(text)[2].split(' each')[0],
            'Group volume (GV): 1,050 of 2,000 — 950 missing')

    def test_matches_the_engine(self):
        "The counted group volume is the engine's, caps rounded half up"
        import numpy as np

        from mlm_commission.engine.components.ranks import (
            _capped_group_volume)
        from mlm_commission.engine.plan.model import UNSET, RankRule
        D = Decimal
        cases = [
            ('2000', '0.4', '0.3', '150', ['1000', '300', '0']),
            ('2000.05', '0.333333', None, '10', ['700', '699.99', '5']),
            ('1000', None, '0.25', '0', ['900.10', '900.10']),
            ('500', '0.5', '0.6', '-20', ['-30', '260']),
            ]
        for min_gv, share, strongest, pv, legs in cases:
            with self.subTest(min_gv=min_gv, legs=legs):
                rule = {'min_gv': min_gv, 'max_leg_share': share,
                    'strongest_leg_cap': strongest}
                ours = qualifying_group_volume(rule, D(pv),
                    [(i, D(v)) for i, v in enumerate(legs)])

                def cents(value):
                    return int(D(value) * 100)

                def micro(value):
                    return UNSET if value is None else int(
                        D(value) * 1000000)
                engine_rule = RankRule('R', min_gv=cents(min_gv),
                    max_leg_share=micro(share),
                    strongest_leg_cap=micro(strongest))
                leg_gv = [cents(v) for v in legs]
                gv = np.array([cents(pv) + sum(leg_gv)] + leg_gv, np.int64)
                own = np.array([cents(pv)] + [0] * len(legs), np.int64)
                child = np.arange(1, len(legs) + 1)
                child_parent = np.zeros(len(legs), np.int64)
                top = np.zeros(len(gv), np.int64)
                np.maximum.at(top, child_parent, gv[child])
                expected = _capped_group_volume(engine_rule, own, gv, child,
                    child_parent, top)[0]
                self.assertEqual(ours, D(int(expected)).scaleb(-2))
