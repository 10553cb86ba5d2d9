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

    holdback_rate = fields.Numeric(
        "Holdback Rate", digits=(16, 6), required=True,
        domain=[('holdback_rate', '>=', 0), ('holdback_rate', '<=', 1)],
        help="Share of each positive commission held back.")
    holdback_periods = fields.Integer(
        "Holdback Periods", required=True,
        domain=[('holdback_periods', '>=', 0)],
        help="The held back amount is released after this many periods.")
    minimum_payout = fields.Numeric(
        "Minimum Payout", digits=(16, 2), required=True,
        domain=[('minimum_payout', '>=', 0)],
        help="Smaller amounts are carried forward to the next period.")
    vat_rate = fields.Numeric(
        "VAT Rate", digits=(16, 6), required=True,
        help="The VAT rate added for partners taxed normally.")
    gutschrift_sequence = fields.Many2One(
        'ir.sequence.strict', "Gutschrift Sequence",
        help="Numbers the commission statements without gaps.")
    settlement_account = fields.Many2One(
        'account.account', "Commission Expense Account",
        domain=[('type.expense', '=', True), ('closed', '!=', True)],
        help="The expense account of the supplier invoices.")
    settlement_tax = fields.Many2One(
        'account.tax', "Input VAT",
        help="The tax of the supplier invoices of partners taxed normally.")

    @classmethod
    def default_gutschrift_sequence(cls):
        from trytond.pool import Pool
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('mlm_commission', 'sequence_gutschrift')
        except KeyError:
            return None

    @classmethod
    def default_holdback_rate(cls):
        return 0

    @classmethod
    def default_holdback_periods(cls):
        return 0

    @classmethod
    def default_minimum_payout(cls):
        return 0

    @classmethod
    def default_vat_rate(cls):
        from decimal import Decimal
        return Decimal('0.19')

    @classmethod
    def default_period_length(cls):
        return 'month'

    @classmethod
    def default_late_payment_cutoff_days(cls):
        return 5

    @classmethod
    def default_clawback_window_months(cls):
        return 12
