# This file is part of the MLM suite. See LICENSE for details.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class CommissionTestCase(ModuleTestCase):
    "Test mlm_commission module"
    module = 'mlm_commission'

    @with_transaction()
    def test_configuration_defaults(self):
        "The configuration singleton starts with documented defaults"
        Configuration = Pool().get('mlm.commission.configuration')
        configuration = Configuration(1)
        self.assertEqual(configuration.period_length, 'month')
        self.assertEqual(configuration.late_payment_cutoff_days, 5)
        self.assertEqual(configuration.clawback_window_months, 12)


del ModuleTestCase
