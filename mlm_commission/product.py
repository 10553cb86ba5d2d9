# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import fields
from trytond.pool import PoolMeta


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    mlm_pv = fields.Numeric(
        "PV", digits=(16, 2),
        domain=['OR', ('mlm_pv', '=', None), ('mlm_pv', '>=', 0)],
        help="Personal (qualifying) volume of one unit.")
    mlm_cv = fields.Numeric(
        "CV", digits=(16, 2),
        domain=['OR', ('mlm_cv', '=', None), ('mlm_cv', '>=', 0)],
        help="Commissionable (business) volume of one unit.")
