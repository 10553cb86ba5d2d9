# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Portal Configuration"
    __string__ = "Portal Configuration"
    __name__ = 'mlm.portal.configuration'

    opt_in_validity_days = fields.Integer(
        "Opt-in Validity (days)", required=True,
        domain=[('opt_in_validity_days', '>=', 0)],
        help="Unconfirmed registrations are deleted after this many days.")

    minimum_age = fields.Integer(
        "Minimum Age", required=True,
        domain=[('minimum_age', '>=', 0)],
        help="Applicants must be at least this old on the day they register.")

    @classmethod
    def default_opt_in_validity_days(cls):
        return 7

    @classmethod
    def default_minimum_age(cls):
        return 18
