# This file is part of the MLM suite. See LICENSE for details.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class NetworkTestCase(CompanyTestMixin, ModuleTestCase):
    "Test MLM Network module"
    module = 'mlm_network'

    @with_transaction()
    def test_groups_defined(self):
        "The suite's six groups exist under their XML ids"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Group = pool.get('res.group')
        names = {
            Group(ModelData.get_id('mlm_network', xml_id)).name
            for xml_id in [
                'group_mlm_admin', 'group_mlm_genealogy',
                'group_mlm_commission_clerk', 'group_mlm_commission_approver',
                'group_mlm_support', 'group_mlm_accounting']}
        self.assertEqual(names, {
                'MLM Administration', 'MLM Genealogy Manager',
                'MLM Commission Clerk', 'MLM Commission Approver',
                'MLM Support (read-only)', 'MLM Accounting'})

    @with_transaction()
    def test_configuration_default_sequence(self):
        "The partner number sequence defaults to the shipped sequence"
        pool = Pool()
        Configuration = pool.get('mlm.network.configuration')
        config = Configuration(1)
        self.assertEqual(config.partner_sequence.name, 'Distributor')
        self.assertEqual(config.partner_sequence.get(), '100001')


del ModuleTestCase
