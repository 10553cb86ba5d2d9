# This file is part of the MLM suite. See LICENSE for details.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class DmsTestCase(ModuleTestCase):
    "Test mlm_dms module"
    module = 'mlm_dms'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.dms.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.retention_years, 10)


del ModuleTestCase
