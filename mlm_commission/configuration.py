# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Commission Configuration"
    __string__ = "Commission Configuration"
    __name__ = 'mlm.commission.configuration'

    period_length = fields.Selection(
        [('month', "Month"), ('quarter', "Quarter")],
        "Period Length", required=True,
        help="Length of a commission period.")

    late_payment_cutoff_days = fields.Integer(
        "Late Payment Cut-off (days)", required=True,
        domain=[('late_payment_cutoff_days', '>=', 0)],
        help="Payments received this many days after period end still count for that period.")

    clawback_window_months = fields.Integer(
        "Clawback Window (months)", required=True,
        domain=[('clawback_window_months', '>=', 0)],
        help="Commission paid on an order is reclaimed when the order is cancelled within this many months.")

    @classmethod
    def default_period_length(cls):
        return 'month'

    @classmethod
    def default_late_payment_cutoff_days(cls):
        return 5

    @classmethod
    def default_clawback_window_months(cls):
        return 12
