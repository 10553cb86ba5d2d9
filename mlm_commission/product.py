# This file is part of the MLM suite. See LICENSE for details.
from trytond.model import ModelSQL, ModelView, Unique, fields
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
    mlm_price_list_volumes = fields.One2Many(
        'mlm.commission.price_list.volume', 'template',
        "Volumes per Price List",
        help="PV and CV of one unit sold at a price list; the product's "
        "PV and CV apply to every other sale.")

    def mlm_volumes(self, price_list=None):
        "(PV, CV) of one unit sold at price_list"
        if price_list:
            for volume in self.mlm_price_list_volumes:
                if volume.price_list == price_list:
                    return volume.pv, volume.cv
        return self.mlm_pv, self.mlm_cv


class PriceListVolume(ModelSQL, ModelView):
    __string__ = "Volume per Price List"
    __name__ = 'mlm.commission.price_list.volume'

    template = fields.Many2One(
        'product.template', "Product", required=True, ondelete='CASCADE')
    price_list = fields.Many2One(
        'product.price_list', "Price List", required=True,
        ondelete='CASCADE')
    pv = fields.Numeric(
        "PV", digits=(16, 2), required=True, domain=[('pv', '>=', 0)],
        help="Personal (qualifying) volume of one unit at this price list.")
    cv = fields.Numeric(
        "CV", digits=(16, 2), required=True, domain=[('cv', '>=', 0)],
        help="Commissionable (business) volume of one unit at this price "
        "list.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('template_price_list_unique',
                Unique(t, t.template, t.price_list),
                'mlm_commission.msg_price_list_volume_unique'),
            ]
