# This file is part of the MLM suite. See LICENSE for details.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class BankingTestCase(ModuleTestCase):
    "Test mlm_banking module"
    module = 'mlm_banking'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.banking.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.payout_execution_days, 2)


del ModuleTestCase
