# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Document Archive Configuration"
    __string__ = "Document Archive Configuration"
    __name__ = 'mlm.dms.configuration'

    retention_years = fields.Integer(
        "Retention (years)", required=True,
        domain=[('retention_years', '>=', 0)],
        help="Archived documents cannot be deleted before this many years (GoBD: 10 for accounting records).")

    @classmethod
    def default_retention_years(cls):
        return 10
