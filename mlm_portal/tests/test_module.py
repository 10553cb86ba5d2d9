# This file is part of the MLM suite. See LICENSE for details.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class PortalTestCase(ModuleTestCase):
    "Test mlm_portal module"
    module = 'mlm_portal'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.portal.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.opt_in_validity_days, 7)
        self.assertEqual(configuration.minimum_age, 18)


del ModuleTestCase
