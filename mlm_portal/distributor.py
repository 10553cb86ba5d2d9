# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import fields
from trytond.pool import PoolMeta


class Distributor(metaclass=PoolMeta):
    __name__ = 'mlm.distributor'

    applications = fields.One2Many(
        'mlm.portal.application', 'distributor', "Online Registration",
        readonly=True,
        help="The online registration with the proof of consent.")

