# This file is part of the MLM suite. See LICENSE for details.
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import tree
from .distributor import (
    browse, clear_cache, depth_expression, lock_rows, path_prefix_where)
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
        cls._buttons.update({
                'move': {},
                })
        cls.__rpc__.update({
                'get_parent_at': RPC(instantiate=0, readonly=True),
                'get_position_at': RPC(instantiate=0, readonly=True),
                'get_upline_at': RPC(instantiate=0, readonly=True),
                'get_downline_at': RPC(instantiate=0, readonly=True),
                })

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
        if parent is not None:
            date = parent.free_from(position, date)
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

    def free_from(self, position, date):
        """Return the first day from date on from which position below self
        is free and self is placed, up to today.

        A new position then never shares its slot with a former holder in
        the history, nor hangs below a parent that was not placed yet."""
        Event = Pool().get('mlm.genealogy.event')
        days = [date] + Event.dates_after(
            'placement', date, self.distributor.company.id)
        start = date
        for index, day in enumerate(days):
            held = any(taken == position
                for taken, _ in self.children_at(day))
            if held or not self.placed_at(day):
                # the tree changes next on the following event date
                start = days[index + 1] if index + 1 < len(days) else None
        return start or Pool().get('ir.date').today()

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

    # As-of API (docs/adr/0021-as-of-genealogy.md) -------------------------

    @classmethod
    def _path_of(cls, placement_id):
        return tree.path_ids(cls(placement_id).path)

    @staticmethod
    def _moved_of(ids, date):
        Event = Pool().get('mlm.genealogy.event')
        return Event.parents_at('placement', ids, date)

    @classmethod
    def _slots_after(cls, date, ids=None, structure=None):
        """Return {id: (parent, position) on date} for the placements with
        events after date, among ids and in structure when given.

        The slot on date is the old slot of the first event after date;
        (None, None) when the placement did not exist yet."""
        Event = Pool().get('mlm.genealogy.event')
        cursor = Transaction().connection.cursor()
        event = Event.__table__()
        where = (event.kind == 'placement') & (event.valid_from > date)
        if structure is not None:
            where &= event.structure == structure.id
        if ids is not None:
            ids = list(ids)
            if not ids:
                return {}
            where &= event.placement.in_(ids)
        cursor.execute(*event.select(
                event.placement, event.old_parent, event.old_position,
                where=where,
                order_by=[event.valid_from.desc, event.id.desc]))
        # the last row per placement is its first event after date
        return {p: (parent, position) for p, parent, position in cursor}

    def parent_at(self, date):
        "Return the parent placement on date (None for a root or unplaced)"
        slots = self._slots_after(date, [self.id])
        if self.id in slots:
            parent_id, _ = slots[self.id]
            return self.__class__(parent_id) if parent_id else None
        return self.parent

    def position_at(self, date):
        "Return the position below the parent on date (None if unplaced)"
        slots = self._slots_after(date, [self.id])
        if self.id in slots:
            return slots[self.id][1]
        return self.position

    def placed_at(self, date):
        "Whether the placement existed on date"
        return self.position_at(date) is not None

    def leg_at(self, date):
        "Return 'left' or 'right' on date in a binary structure"
        if self.structure.type == 'binary' and self.parent_at(date):
            return ['left', 'right'][self.position_at(date)]

    def children_at(self, date):
        "Return the [(position, child placement)] below self on date"
        slots = self._slots_after(date, structure=self.structure)
        children = [(c.position, c) for c in self.children
            if c.id not in slots]
        children.extend((position, self.__class__(node_id))
            for node_id, (parent_id, position) in slots.items()
            if parent_id == self.id)
        return sorted(children, key=lambda c: (c[0], c[1].id))

    def upline_at(self, date):
        "Return the placement upline on date, nearest parent first"
        Event = Pool().get('mlm.genealogy.event')
        moved = Event.moved_after(
            'placement', date, self.distributor.company.id)
        if moved is None:
            moved_of = self._moved_of
        else:
            def moved_of(ids, date):
                return {i: moved[i] for i in ids if i in moved}
        return browse(self.__class__,
            tree.upline_at(self.id, date, self._path_of, moved_of))

    def downline_at(self, date):
        "Return the placements below self on date ordered by id"
        cursor = Transaction().connection.cursor()
        table = self.__table__()

        def descendants_of(placement_id):
            cursor.execute(*table.select(
                    table.path, where=table.id == placement_id))
            path, = cursor.fetchone()
            cursor.execute(*table.select(
                    table.id, table.path,
                    where=path_prefix_where(table.path, path, table.depth)
                    & (table.id != placement_id)))
            return [(i, tree.path_ids(p)[:-1]) for i, p in cursor]

        def moved_after(date):
            return {node: parent for node, (parent, _) in self._slots_after(
                    date, structure=self.structure).items()}
        ids = tree.downline_at(self.id, date, descendants_of, moved_after)
        return browse(self.__class__, sorted(ids))

    @classmethod
    def get_parent_at(cls, placements, date):
        "Return the parent id on date of each placement (RPC)"
        return [p.id if (p := placement.parent_at(date)) else None
            for placement in placements]

    @classmethod
    def get_position_at(cls, placements, date):
        "Return the position on date of each placement (RPC)"
        return [p.position_at(date) for p in placements]

    @classmethod
    def get_upline_at(cls, placements, date):
        "Return the upline ids on date of each placement (RPC)"
        return [[u.id for u in p.upline_at(date)] for p in placements]

    @classmethod
    def get_downline_at(cls, placements, date):
        "Return the downline ids on date of each placement (RPC)"
        return [[m.id for m in p.downline_at(date)] for p in placements]

    # Moves -----------------------------------------------------------------

    def check_move(self, parent, position, date):
        """Raise when moving below parent at position on date is refused.

        Same policy as the sponsor moves (docs/adr/0022-genealogy-moves.md)
        and the slot must be free on the date and every later change."""
        pool = Pool()
        Event = pool.get('mlm.genealogy.event')
        Configuration = pool.get('mlm.network.configuration')
        Date = pool.get('ir.date')
        config = Configuration(1)
        name = self.rec_name
        width = self.structure.width
        if parent.structure != self.structure:
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_structure', placement=name))
        if position is None or not 0 <= position < width:
            raise PlacementError(gettext(
                    'mlm_network.msg_placement_position',
                    placement=name, width=width))
        if parent == self.parent and position == self.position:
            raise MoveError(gettext(
                    'mlm_network.msg_placement_move_same',
                    placement=name, parent=parent.rec_name))
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
        if not parent.placed_at(date):
            raise MoveError(gettext(
                    'mlm_network.msg_placement_parent_later',
                    placement=name, parent=parent.rec_name, date=date))
        company = self.distributor.company.id
        for day in [date] + Event.dates_after('placement', date, company):
            if self in parent.upline_at(day):
                raise MoveError(gettext(
                        'mlm_network.msg_move_cycle', distributor=name,
                        sponsor=parent.rec_name))
            for taken, child in parent.children_at(day):
                if taken == position and child != self:
                    raise PlacementError(gettext(
                            'mlm_network.msg_placement_position_taken_on',
                            parent=parent.rec_name, position=position,
                            date=day, placement=child.rec_name))

    def move_to(self, parent, position, date, reason, requester, approver):
        """Move the placement (with its subtree) below parent at position.

        Checks the four-eyes rule and the move policy (check_move), records
        a placement event valid from date and updates the current tree.
        Returns the event."""
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        Event = pool.get('mlm.genealogy.event')
        lock_rows(self.__class__, [self.id, parent.id])
        Distributor.check_four_eyes(requester, approver)
        self.check_move(parent, position, date)
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

    @classmethod
    @ModelView.button_action('mlm_network.wizard_placement_move')
    def move(cls, placements):
        pass


LEGS = [
    (None, ""),
    ('left', "Left"),
    ('right', "Right"),
    ]


def _upline_text(placements):
    return '\n'.join('%s. %s' % (i, p.distributor.rec_name)
        for i, p in enumerate(placements, 1))


class PlacementMoveStart(ModelView):
    __string__ = "Move Placement"
    __name__ = 'mlm.placement.move.start'

    placement = fields.Many2One(
        'mlm.placement', "Placement", required=True)
    structure = fields.Many2One(
        'mlm.structure', "Structure", readonly=True)
    structure_type = fields.Selection([
            (None, ""),
            ('binary', "Binary"),
            ('matrix', "Forced Matrix"),
            ], "Structure Type", readonly=True)
    parent = fields.Many2One(
        'mlm.placement', "New Parent", required=True,
        domain=[
            ('structure', '=', Eval('structure', -1)),
            ('id', '!=', Eval('placement', -1)),
            ])
    leg = fields.Selection(LEGS, "Leg",
        states={
            'invisible': Eval('structure_type') != 'binary',
            'required': Eval('structure_type') == 'binary',
            })
    position = fields.Integer("Position",
        states={
            'invisible': Eval('structure_type') == 'binary',
            'required': Eval('structure_type') != 'binary',
            },
        help="The slot below the new parent, from 0 to the width minus 1.")
    valid_from = fields.Date("Effective Date", required=True)
    reason = fields.Text("Reason", required=True)
    requester = fields.Many2One(
        'res.user', "Requested by", required=True,
        help="The user who asked for the move; "
        "another Genealogy Manager approves it.")

    @fields.depends('placement')
    def on_change_with_structure(self, name=None):
        return self.placement.structure.id if self.placement else None

    @fields.depends('placement')
    def on_change_with_structure_type(self, name=None):
        return self.placement.structure.type if self.placement else None

    def new_position(self):
        "The position chosen: the leg in binary structures"
        if self.structure_type == 'binary':
            return {'left': 0, 'right': 1}.get(self.leg)
        return self.position


class PlacementMoveConfirm(ModelView):
    __string__ = "Move Placement"
    __name__ = 'mlm.placement.move.confirm'

    placement = fields.Many2One(
        'mlm.placement', "Placement", readonly=True)
    structure_type = fields.Selection([
            (None, ""),
            ('binary', "Binary"),
            ('matrix', "Forced Matrix"),
            ], "Structure Type", readonly=True)
    valid_from = fields.Date("Effective Date", readonly=True)
    old_parent = fields.Many2One(
        'mlm.placement', "Old Parent", readonly=True)
    parent = fields.Many2One(
        'mlm.placement', "New Parent", readonly=True)
    old_leg = fields.Selection(LEGS, "Old Leg", readonly=True,
        states={'invisible': Eval('structure_type') != 'binary'})
    leg = fields.Selection(LEGS, "New Leg", readonly=True,
        states={'invisible': Eval('structure_type') != 'binary'})
    old_position = fields.Integer("Old Position", readonly=True,
        states={'invisible': Eval('structure_type') == 'binary'})
    position = fields.Integer("New Position", readonly=True,
        states={'invisible': Eval('structure_type') == 'binary'})
    old_upline = fields.Text("Old Upline", readonly=True)
    new_upline = fields.Text("New Upline", readonly=True)
    moved_size = fields.Integer(
        "Positions Moved", readonly=True,
        help="The position and the positions below it that move along.")
    requester = fields.Many2One('res.user', "Requested by", readonly=True)
    approver = fields.Many2One('res.user', "Approved by", readonly=True)


class PlacementMove(Wizard):
    __string__ = "Move Placement"
    __name__ = 'mlm.placement.move'

    start = StateView('mlm.placement.move.start',
        'mlm_network.placement_move_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateTransition()
    confirm = StateView('mlm.placement.move.confirm',
        'mlm_network.placement_move_confirm_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Move", 'move', 'tryton-ok', default=True),
            ])
    move = StateTransition()

    def default_start(self, fields):
        Date = Pool().get('ir.date')
        values = {'valid_from': Date.today()}
        if self.model and self.model.__name__ == 'mlm.placement' and (
                self.record):
            values['placement'] = self.record.id
            values['structure'] = self.record.structure.id
            values['structure_type'] = self.record.structure.type
        if self.start.placement:
            values.update(self.start._default_values)
        return values

    def _approver(self):
        return Pool().get('res.user')(Transaction().user)

    def transition_check(self):
        Distributor = Pool().get('mlm.distributor')
        Distributor.check_four_eyes(self.start.requester, self._approver())
        self.start.placement.check_move(
            self.start.parent, self.start.new_position(),
            self.start.valid_from)
        return 'confirm'

    def default_confirm(self, fields):
        placement = self.start.placement
        parent = self.start.parent
        date = self.start.valid_from
        position = self.start.new_position()
        binary = placement.structure.type == 'binary'
        return {
            'placement': placement.id,
            'structure_type': placement.structure.type,
            'valid_from': date,
            'old_parent': old.id if (old := placement.parent_at(date))
            else None,
            'parent': parent.id,
            'old_leg': placement.leg_at(date),
            'leg': ['left', 'right'][position] if binary else None,
            'old_position': placement.position_at(date),
            'position': position,
            'old_upline': _upline_text(placement.upline_at(date)),
            'new_upline': _upline_text(
                [parent] + list(parent.upline_at(date))),
            'moved_size': placement.subtree_size(),
            'requester': self.start.requester.id,
            'approver': self._approver().id,
            }

    def transition_move(self):
        self.start.placement.move_to(
            self.start.parent, self.start.new_position(),
            self.start.valid_from, self.start.reason,
            self.start.requester, self._approver())
        return 'end'
