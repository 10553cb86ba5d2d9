# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __string__ = "Network Configuration"
    __name__ = 'mlm.network.configuration'

    partner_sequence = fields.Many2One(
        'ir.sequence', "Partner Number Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('mlm_network', 'sequence_type_partner')),
            ],
        help="Numbers new distributors (Vertriebspartnernummer).")
    move_window_days = fields.Integer(
        "Move Window",
        domain=['OR',
            ('move_window_days', '=', None),
            ('move_window_days', '>=', 0),
            ],
        help="Number of days after joining during which a partner may "
        "be moved.\nLeave empty to allow moves at any time.")
    closed_until = fields.Date(
        "Closed Until",
        help="No genealogy change may take effect on or before this date "
        "(closed commission periods).")

    @classmethod
    def default_partner_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('mlm_network', 'sequence_partner')
        except KeyError:
            return None

    @classmethod
    def default_move_window_days(cls):
        return 90
