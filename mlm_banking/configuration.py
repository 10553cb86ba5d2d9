# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Banking Configuration"
    __string__ = "Banking Configuration"
    __name__ = 'mlm.banking.configuration'

    payout_execution_days = fields.Integer(
        "Payout Execution (days)", required=True,
        domain=[('payout_execution_days', '>=', 0)],
        help="Requested execution date of SEPA payouts, in business days after approval.")

    @classmethod
    def default_payout_execution_days(cls):
        return 2
