# This file is part of the MLM suite. See LICENSE for details.
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PlacementError

RULES = [
    ('sponsor_preference', "Sponsor's Preference"),
    ('outer_left', "Outer Left"),
    ('outer_right', "Outer Right"),
    ('weaker_leg', "Weaker Leg"),
    ('breadth_first', "Breadth-First"),
    ]


class Structure(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Placement Structure"
    __name__ = 'mlm.structure'

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)
    type = fields.Selection([
            ('binary', "Binary"),
            ('matrix', "Forced Matrix"),
            ], "Type", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    width = fields.Integer(
        "Width", required=True,
        states={
            'readonly': (Eval('type') == 'binary') | (Eval('id', -1) >= 0),
            },
        domain=[('width', '>=', 2)],
        help="The number of positions below each partner.")
    rule = fields.Selection(
        RULES, "Placement Rule", required=True,
        help="Where new partners are placed when no parent is given.")
    auto_place = fields.Boolean(
        "Place Automatically",
        help="Place every new distributor when it is created.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.code, t.company),
                'mlm_network.msg_structure_code_unique'),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_type():
        return 'binary'

    @staticmethod
    def default_width():
        return 2

    @staticmethod
    def default_rule():
        return 'sponsor_preference'

    @staticmethod
    def default_auto_place():
        return False

    @fields.depends('type', 'width', 'rule')
    def on_change_type(self):
        if self.type == 'binary':
            self.width = 2
            if self.rule == 'breadth_first':
                self.rule = 'sponsor_preference'

    @classmethod
    def validate_fields(cls, structures, field_names):
        super().validate_fields(structures, field_names)
        for structure in structures:
            if structure.type == 'binary' and structure.width != 2:
                raise PlacementError(gettext(
                        'mlm_network.msg_structure_binary_width',
                        structure=structure.rec_name))

    @classmethod
    def place_new(cls, distributors):
        "Place new distributors in every structure placing automatically"
        structures = cls.search([('auto_place', '=', True)])
        for structure in structures:
            for distributor in distributors:
                if distributor.company == structure.company:
                    structure.place(distributor)

    def root(self):
        Placement = Pool().get('mlm.placement')
        roots = Placement.search([
                ('structure', '=', self.id),
                ('parent', '=', None),
                ], limit=1)
        return roots[0] if roots else None

    def place(self, distributor, parent=None, position=None, rule=None,
            date=None):
        """Place distributor in the structure and return the placement.

        With parent (and optionally position) the placement is explicit;
        otherwise the rule (default: the structure's rule) is applied from
        the placement of the nearest placed sponsor."""
        pool = Pool()
        Placement = pool.get('mlm.placement')
        existing = Placement.search([
                ('structure', '=', self.id),
                ('distributor', '=', distributor.id),
                ])
        if existing:
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_unique',
                    distributor=distributor.rec_name,
                    structure=self.rec_name))
        if parent is None:
            anchor = self._anchor(distributor)
            if anchor is None:
                if self.root():
                    raise PlacementError(gettext(
                            'mlm_network.msg_placement_no_anchor',
                            distributor=distributor.rec_name,
                            structure=self.rec_name))
                return Placement.create_placement(
                    self, distributor, None, 0, date)
            parent, position = self._find_slot(
                anchor, rule or self.rule, self._preference(distributor))
        elif position is None:
            free = parent.free_positions()
            if not free:
                raise PlacementError(gettext(
                        'mlm_network.msg_placement_full',
                        parent=parent.rec_name))
            position = free[0]
        return Placement.create_placement(
            self, distributor, parent, position, date)

    def _anchor(self, distributor):
        "The placement of the nearest placed sponsor (or the root)"
        Placement = Pool().get('mlm.placement')
        upline = distributor.upline
        if upline:
            placements = Placement.search([
                    ('structure', '=', self.id),
                    ('distributor', 'in', [d.id for d in upline]),
                    ])
            by_distributor = {p.distributor: p for p in placements}
            for sponsor in upline:
                if sponsor in by_distributor:
                    return by_distributor[sponsor]
        return self.root()

    def _preference(self, distributor):
        if distributor.sponsor:
            return distributor.sponsor.placement_preference

    def _find_slot(self, anchor, rule, preference=None):
        "Return (parent placement, position) of the next free slot"
        if rule == 'sponsor_preference':
            rule = {
                'left': 'outer_left',
                'right': 'outer_right',
                'weaker': 'weaker_leg',
                }.get(preference,
                    'outer_left' if self.type == 'binary'
                    else 'breadth_first')
        if rule == 'outer_left':
            return anchor.outer(0)
        elif rule == 'outer_right':
            return anchor.outer(self.width - 1)
        elif rule == 'weaker_leg':
            return anchor.weaker_leg_slot()
        else:
            return anchor.first_free_breadth_first()
