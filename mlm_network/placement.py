# This file is part of the MLM suite. See LICENSE for details.
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import tree
from .distributor import clear_cache, depth_expression, path_prefix_where
from .exceptions import MoveError, PlacementError


class Placement(ModelSQL, ModelView):
    __string__ = "Placement"
    __name__ = 'mlm.placement'

    structure = fields.Many2One(
        'mlm.structure', "Structure", required=True, ondelete='CASCADE',
        readonly=True)
    distributor = fields.Many2One(
        'mlm.distributor', "Distributor", required=True, ondelete='CASCADE',
        readonly=True)
    parent = fields.Many2One(
        'mlm.placement', "Parent", path='path', ondelete='RESTRICT',
        readonly=True,
        domain=[('structure', '=', Eval('structure', -1))])
    position = fields.Integer(
        "Position", required=True, readonly=True,
        help="The slot below the parent, from 0; "
        "in a binary structure 0 is the left and 1 the right leg.")
    leg = fields.Function(fields.Selection([
                (None, ""),
                ('left', "Left"),
                ('right', "Right"),
                ], "Leg"), 'get_leg')
    path = fields.Char("Path", readonly=True)
    depth = fields.Integer("Depth", readonly=True)
    children = fields.One2Many(
        'mlm.placement', 'parent', "Children", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('structure_distributor_unique',
                Unique(t, t.structure, t.distributor),
                'mlm_network.msg_placement_unique_sql'),
            ('parent_position_unique',
                Unique(t, t.parent, t.position),
                'mlm_network.msg_placement_position_taken_sql'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.structure, Index.Equality()),
                (t.depth, Index.Range())))
        cls._order = [('structure', 'ASC'), ('path', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s @ %s' % (
            self.distributor.rec_name, self.structure.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('distributor.rec_name',) + tuple(clause[1:])]

    def get_leg(self, name):
        if self.structure.type == 'binary' and self.parent:
            return ['left', 'right'][self.position]

    @classmethod
    def validate_fields(cls, placements, field_names):
        super().validate_fields(placements, field_names)
        for placement in placements:
            width = placement.structure.width
            if not 0 <= placement.position < width:
                raise PlacementError(gettext(
                        'mlm_network.msg_placement_position',
                        placement=placement.rec_name, width=width))
            if placement.parent and (
                    placement.parent.structure != placement.structure):
                raise PlacementError(gettext(
                        'mlm_network.msg_placement_structure',
                        placement=placement.rec_name))

    @classmethod
    def create_placement(cls, structure, distributor, parent, position,
            date=None):
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        if parent is None and structure.root():
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_no_anchor',
                    distributor=distributor.rec_name,
                    structure=structure.rec_name))
        if parent is not None and position not in parent.free_positions():
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_position_taken',
                    parent=parent.rec_name, position=position))
        date = max(date or distributor.join_date, distributor.join_date)
        with without_check_access():
            placement, = cls.create([{
                        'structure': structure.id,
                        'distributor': distributor.id,
                        'parent': parent.id if parent else None,
                        'position': position,
                        }])
            user = Transaction().user or None
            Event.create([{
                        'company': distributor.company.id,
                        'kind': 'placement',
                        'distributor': distributor.id,
                        'structure': structure.id,
                        'placement': placement.id,
                        'valid_from': date,
                        'new_parent': parent.id if parent else None,
                        'new_position': position,
                        'requester': user,
                        'approver': user,
                        }])
        return placement

    @classmethod
    def create(cls, vlist):
        placements = super().create(vlist)
        cls._update_depth(placements)
        return placements

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        for placements, values in zip(actions, actions):
            if 'parent' in values:
                cls._update_depth(placements, subtree=True)

    @classmethod
    def _update_depth(cls, placements, subtree=False):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        clear_cache(cls)
        for placement in cls.browse(placements):
            if subtree:
                # the depths are not updated yet: no depth condition
                where = path_prefix_where(table.path, placement.path)
            else:
                where = table.id == placement.id
            cursor.execute(*table.update(
                    [table.depth], [depth_expression(table.path)],
                    where=where))
        clear_cache(cls)

    def free_positions(self):
        taken = {c.position for c in self.children}
        return [p for p in range(self.structure.width) if p not in taken]

    def child_at(self, position):
        for child in self.children:
            if child.position == position:
                return child

    def outer(self, position):
        "Follow position down to the first free slot"
        node = self
        while True:
            child = node.child_at(position)
            if child is None:
                return node, position
            node = child

    def subtree_size(self):
        cursor = Transaction().connection.cursor()
        table = self.__table__()
        cursor.execute(*table.select(Count(table.id),
                where=path_prefix_where(table.path, self.path, table.depth)))
        return cursor.fetchone()[0]

    def weaker_leg_slot(self):
        "The outer slot of the leg with the fewest members (left on ties)"
        sizes = []
        for position in range(self.structure.width):
            child = self.child_at(position)
            if child is None:
                return self, position
            sizes.append((child.subtree_size(), position, child))
        _, position, child = min(sizes, key=lambda s: s[:2])
        return child.outer(position)

    def first_free_breadth_first(self):
        "The first free slot level by level, left to right"
        level = [self]
        while level:
            following = []
            for node in level:
                children = {c.position: c for c in node.children}
                for position in range(self.structure.width):
                    if position not in children:
                        return node, position
                    following.append(children[position])
            level = following

    @property
    def upline(self):
        ids = tree.path_ids(self.path or '')[:-1]
        return self.browse(list(reversed(ids)))

    @classmethod
    def _path_of(cls, placement_id):
        return tree.path_ids(cls(placement_id).path)

    @staticmethod
    def _moved_of(ids, date):
        Event = Pool().get('mlm.genealogy.event')
        return Event.parents_at('placement', ids, date)

    def upline_at(self, date):
        "Return the placement upline on date, nearest parent first"
        return self.browse(
            tree.upline_at(self.id, date, self._path_of, self._moved_of))

    def move_to(self, parent, position, date, reason, requester, approver):
        """Move the placement (with its subtree) below parent at position.

        Same policy as the sponsor moves: four eyes, no cycles, no
        back-dating before the last placement change."""
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Event = pool.get('mlm.genealogy.event')
        Configuration = pool.get('mlm.network.configuration')
        Date = pool.get('ir.date')
        config = Configuration(1)
        Distributor.check_four_eyes(requester, approver)
        name = self.rec_name
        if parent.structure != self.structure:
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_structure', placement=name))
        if parent.path.startswith(self.path):
            raise MoveError(gettext(
                    'mlm_network.msg_move_cycle', distributor=name,
                    sponsor=parent.rec_name))
        if position not in parent.free_positions():
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_position_taken',
                    parent=parent.rec_name, position=position))
        if date > Date.today():
            raise MoveError(gettext(
                    'mlm_network.msg_move_future', distributor=name,
                    date=date))
        if config.closed_until and date <= config.closed_until:
            raise MoveError(gettext(
                    'mlm_network.msg_move_closed_period', distributor=name,
                    date=date, closed_until=config.closed_until))
        last = Event.last_date('placement', self.id)
        if last and date < last:
            raise MoveError(gettext(
                    'mlm_network.msg_move_before_last', distributor=name,
                    date=date, last=last))
        for day in [date] + Event.dates_after('placement', date):
            if self in parent.upline_at(day):
                raise MoveError(gettext(
                        'mlm_network.msg_move_cycle', distributor=name,
                        sponsor=parent.rec_name))
        with without_check_access():
            event, = Event.create([{
                        'company': self.distributor.company.id,
                        'kind': 'placement',
                        'distributor': self.distributor.id,
                        'structure': self.structure.id,
                        'placement': self.id,
                        'valid_from': date,
                        'old_parent': self.parent.id if self.parent else None,
                        'new_parent': parent.id,
                        'old_position': self.position,
                        'new_position': position,
                        'reason': reason,
                        'requester': requester.id,
                        'approver': approver.id,
                        }])
            self.__class__.write([self], {
                    'parent': parent.id,
                    'position': position,
                    })
        return event
