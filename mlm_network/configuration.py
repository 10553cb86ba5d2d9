# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Network Configuration"
    __name__ = 'mlm.network.configuration'

    partner_sequence = fields.Many2One(
        'ir.sequence', "Partner Number Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('mlm_network', 'sequence_type_partner')),
            ],
        help="Numbers new distributors (Vertriebspartnernummer).")

    @classmethod
    def default_partner_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('mlm_network', 'sequence_partner')
        except KeyError:
            return None
