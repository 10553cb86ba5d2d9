# This file is part of the MLM suite. See LICENSE for details.
import datetime as dt
import io

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from mlm_network.partner_import import import_partners

from .tools import DatabaseTestCase, create_genealogy_managers, day

LENGTH = 1500


class DeepChainTestCase(DatabaseTestCase):
    "A chain whose paths are longer than the indexed prefix"
    modules = ('mlm_network',)

    @with_transaction()
    def test_deep_chain(self):
        "Upline, downline and moves work on a 1,500-level chain"
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        company = create_company()
        gerda, hans = create_genealogy_managers('gerda', 'hans')
        lines = ['number,name,sponsor,join_date']
        start = day(80)
        for index in range(LENGTH):
            lines.append('%s,P%s,%s,%s' % (
                    700000 + index, index,
                    700000 + index - 1 if index else '',
                    (start + dt.timedelta(days=index // 100)).isoformat()))
        with set_company(company):
            report = import_partners(io.StringIO('\n'.join(lines) + '\n'))
            self.assertEqual(report.errors, [])
            self.assertEqual(report.max_depth, LENGTH - 1)
            chain = {d.number: d for d in Distributor.search([])}
            root, deep = chain['700000'], chain[str(700000 + LENGTH - 1)]
            middle = chain[str(700000 + 1200)]
            self.assertGreater(len(middle.path), 1000)
            self.assertEqual(len(deep.upline), LENGTH - 1)
            self.assertEqual(root.downline_size, LENGTH - 1)
            self.assertEqual(middle.downline_size, LENGTH - 1201)
            self.assertEqual(
                Distributor.search(
                    Distributor.downline_domain(middle), count=True),
                LENGTH - 1201)
            # move the middle partner and its 299 partners under the root
            Distributor.move_sponsor(
                middle, root, day(5), "Deep move", gerda, hans)
            self.assertEqual(middle.depth, 1)
            self.assertEqual(deep.depth, LENGTH - 1 - 1199)
            self.assertEqual(
                deep.path, '%s%s' % (root.path, deep.path[len(root.path):]))
            self.assertEqual(len(deep.upline), deep.depth)
            self.assertEqual(
                len(deep.upline_at(day(6))), LENGTH - 1)
            self.assertEqual(len(deep.upline_at(day(5))), deep.depth)
            self.assertEqual(
                len(chain[str(700000 + 1199)].downline_at(day(6))),
                LENGTH - 1200)
            self.assertEqual(
                chain[str(700000 + 1199)].downline_at(day(5)), [])
