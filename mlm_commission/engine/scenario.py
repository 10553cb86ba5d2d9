"""Scenario files: partners, carry-in and consecutive periods of orders/returns.

:func:`load_scenario` validates everything against the plan (schema, unknown
partners, cycles, negative volumes, unknown ranks, dates, returns) and
reports every problem with its JSON path before building any table.
"""
from dataclasses import dataclass

import numpy as np
from jsonschema import Draft202012Validator

from . import tree
from .dates import NO_DATE, parse_day
from .errors import Problems, json_path
from .money import parse_cents
from .sources import read_data_file, schema_problems
from .tables import LEGS, STATUSES, Orders, Partners, Period, Returns

MAX_PERIOD_VOLUME = 9 * 10 ** 12
ID = {'type': ['string', 'integer']}
AMOUNT = {'type': ['string', 'integer']}
DATE = {'type': 'string'}

SCENARIO_SCHEMA = {
    '$schema': 'https://json-schema.org/draft/2020-12/schema',
    'type': 'object',
    'additionalProperties': False,
    'required': ['partners', 'periods'],
    'properties': {
        'description': {'type': 'string'},
        'partners': {'type': 'array', 'items': {
            'type': 'object', 'additionalProperties': False,
            'required': ['id', 'join_date'],
            'properties': {
                'id': ID, 'sponsor': {'type': ['string', 'integer', 'null']},
                'join_date': DATE, 'status': {'enum': list(STATUSES)},
                'rank_override': {'type': ['string', 'null']},
                'highest_rank': {'type': ['string', 'null']},
                'binary': {'type': 'object', 'additionalProperties': False,
                           'required': ['parent', 'leg'],
                           'properties': {'parent': ID, 'leg': {'enum': list(LEGS)}}},
                'matrix_parent': ID,
            }}},
        'carry_in': {'type': 'array', 'items': {
            'type': 'object', 'additionalProperties': False, 'required': ['partner'],
            'properties': {'partner': ID, 'left': AMOUNT, 'right': AMOUNT}}},
        'periods': {'type': 'array', 'minItems': 1, 'items': {
            'type': 'object', 'additionalProperties': False,
            'required': ['id', 'start', 'end'],
            'properties': {
                'id': {'type': 'string', 'minLength': 1}, 'start': DATE, 'end': DATE,
                'orders': {'type': 'array', 'items': {
                    'type': 'object', 'additionalProperties': False,
                    'required': ['id', 'partner', 'order_date'],
                    'properties': {
                        'id': ID, 'partner': ID, 'buyer': {'enum': ['own', 'customer']},
                        'order_date': DATE, 'paid_date': {'type': ['string', 'null']},
                        'pv': AMOUNT, 'cv': AMOUNT, 'amount': AMOUNT}}},
                'returns': {'type': 'array', 'items': {
                    'type': 'object', 'additionalProperties': False,
                    'required': ['order', 'date'],
                    'properties': {'order': ID, 'date': DATE,
                                   'pv': AMOUNT, 'cv': AMOUNT, 'amount': AMOUNT}}},
            }}},
    },
}
_VALIDATOR = Draft202012Validator(SCENARIO_SCHEMA)


@dataclass
class Scenario:
    """A loaded scenario: column tables plus its periods and carry-in (int64[N, 2])."""
    partners: Partners
    orders: Orders
    returns: Returns
    carry_in: np.ndarray
    periods: list


def read_scenario(path, plan_set):
    """Read, validate and load the scenario file at ``path`` against ``plan_set``."""
    return load_scenario(read_data_file(path), plan_set, source=str(path))


def load_scenario(data, plan_set, source=None):
    """Validate scenario ``data`` against ``plan_set`` and build its tables."""
    problems = Problems(source)
    schema_problems(_VALIDATOR, data, problems)
    problems.raise_if_any()
    builder = _Builder(data, plan_set, problems)
    builder.build()
    problems.raise_if_any()
    return builder.scenario()


class _Builder:
    def __init__(self, data, plan_set, problems):
        self.data = data
        self.plan_set = plan_set
        self.problems = problems
        self.rank_names = plan_set.rank_names
        self.partner_index = {}
        self.order_index = {}

    def add(self, path, reason):
        self.problems.add(path, reason)

    def day(self, value, *path):
        try:
            return parse_day(value)
        except ValueError as error:
            self.add(json_path(*path), str(error))
            return NO_DATE

    def volume(self, value, *path):
        if value is None:
            return 0
        try:
            cents = parse_cents(value)
        except ValueError as error:
            self.add(json_path(*path), str(error))
            return 0
        if cents < 0:
            self.add(json_path(*path), f'negative volume {value!r} is not allowed')
            return 0
        return cents

    def partner_ref(self, value, *path):
        if value is None:
            return -1
        index = self.partner_index.get(str(value))
        if index is None:
            self.add(json_path(*path), f'unknown partner {str(value)!r}')
            return -1
        return index

    def rank_ref(self, value, *path):
        if value is None:
            return -1
        if value not in self.rank_names:
            self.add(json_path(*path),
                     f'unknown rank {value!r} (ranks: {", ".join(self.rank_names)})')
            return -1
        return self.rank_names.index(value)

    def build(self):
        self.build_partners()
        self.build_carry()
        self.build_periods()
        self.build_orders()
        self.build_returns()

    def build_partners(self):
        rows = self.data['partners']
        for i, row in enumerate(rows):
            key = str(row['id'])
            if key in self.partner_index:
                self.add(json_path('partners', i, 'id'), f'duplicate partner id {key!r}')
            else:
                self.partner_index[key] = i
        count = len(rows)
        self.ids = [str(row['id']) for row in rows]
        self.sponsor = np.full(count, -1, np.int32)
        self.binary_parent = np.full(count, -1, np.int32)
        self.binary_leg = np.full(count, -1, np.int8)
        self.matrix_parent = np.full(count, -1, np.int32)
        self.status = np.zeros(count, np.int8)
        self.join_day = np.zeros(count, np.int32)
        self.rank_override = np.full(count, -1, np.int16)
        self.previous_highest = np.full(count, -1, np.int16)
        slots = {}
        for i, row in enumerate(rows):
            at = ('partners', i)
            self.sponsor[i] = self.partner_ref(row.get('sponsor'), *at, 'sponsor')
            self.join_day[i] = self.day(row['join_date'], *at, 'join_date')
            self.status[i] = STATUSES.index(row.get('status', 'active'))
            self.rank_override[i] = self.rank_ref(row.get('rank_override'), *at, 'rank_override')
            self.previous_highest[i] = self.rank_ref(row.get('highest_rank'), *at, 'highest_rank')
            if 'matrix_parent' in row:
                self.matrix_parent[i] = self.partner_ref(row['matrix_parent'], *at, 'matrix_parent')
            if 'binary' in row:
                parent = self.partner_ref(row['binary']['parent'], *at, 'binary', 'parent')
                leg = LEGS.index(row['binary']['leg'])
                if parent >= 0 and (parent, leg) in slots:
                    self.add(json_path(*at, 'binary'),
                             f"{row['binary']['leg']} leg of partner {self.ids[parent]!r} "
                             f'is already taken by {self.ids[slots[parent, leg]]!r}')
                slots[parent, leg] = i
                self.binary_parent[i], self.binary_leg[i] = parent, leg
        for name, parent in (('sponsor', self.sponsor), ('binary.parent', self.binary_parent),
                             ('matrix_parent', self.matrix_parent)):
            self.check_cycles(name, parent)
        self.check_matrix_width()

    def check_matrix_width(self):
        widths = {v.matrix.width for v in self.plan_set.versions if v.matrix is not None}
        if not widths:
            return
        width = min(widths)
        seen = {}
        for i in np.flatnonzero(self.matrix_parent >= 0):
            parent = int(self.matrix_parent[i])
            seen[parent] = seen.get(parent, 0) + 1
            if seen[parent] == width + 1:
                self.add(json_path('partners', int(i), 'matrix_parent'),
                         f'partner {self.ids[parent]!r} already has {width} matrix children '
                         f'(matrix width {width})')

    def check_cycles(self, name, parent):
        try:
            tree.depths(parent)
        except tree.CycleError as error:
            on_cycle = sorted(_cycle_members(parent, error.nodes))
            for i in on_cycle:
                self.add(json_path('partners', i, *name.split('.')),
                         f'cycle: partner {self.ids[i]!r} is its own {name} ancestor '
                         f'(cycle {" -> ".join(self.ids[j] for j in on_cycle)})')

    def build_carry(self):
        self.carry = np.zeros((len(self.ids), 2), np.int64)
        for i, row in enumerate(self.data.get('carry_in', [])):
            partner = self.partner_ref(row['partner'], 'carry_in', i, 'partner')
            for leg, name in enumerate(LEGS):
                value = self.volume(row.get(name), 'carry_in', i, name)
                if partner >= 0:
                    self.carry[partner, leg] = value

    def build_periods(self):
        self.periods = []
        seen = set()
        previous_end = None
        for i, row in enumerate(self.data['periods']):
            start = self.day(row['start'], 'periods', i, 'start')
            end = self.day(row['end'], 'periods', i, 'end')
            if row['id'] in seen:
                self.add(json_path('periods', i, 'id'), f"duplicate period id {row['id']!r}")
            seen.add(row['id'])
            if NO_DATE not in (start, end) and end < start:
                self.add(json_path('periods', i, 'end'), 'period ends before it starts')
            if previous_end not in (None, NO_DATE) and start != NO_DATE \
                    and start != previous_end + 1:
                self.add(json_path('periods', i, 'start'),
                         'periods must be consecutive: start must be the day after the '
                         'previous period ends')
            previous_end = end
            self.periods.append(Period(row['id'], i, start, end))

    def build_orders(self):
        columns = {k: [] for k in ('period', 'partner', 'customer', 'order_day', 'paid_day',
                                   'pv', 'cv', 'amount')}
        self.order_ids = []
        first_valid = self.plan_set.versions[0].valid_from_day
        for p, period in enumerate(self.periods):
            volume_total = 0
            for i, row in enumerate(self.data['periods'][p].get('orders', [])):
                at = ('periods', p, 'orders', i)
                key = str(row['id'])
                if key in self.order_index:
                    self.add(json_path(*at, 'id'), f'duplicate order id {key!r}')
                self.order_index[key] = len(self.order_ids)
                self.order_ids.append(key)
                order_day = self.day(row['order_date'], *at, 'order_date')
                paid = row.get('paid_date')
                paid_day = NO_DATE if paid is None else self.day(paid, *at, 'paid_date')
                if order_day != NO_DATE:
                    if order_day > period.end_day:
                        self.add(json_path(*at, 'order_date'), 'order date after the period end')
                    if order_day < first_valid:
                        self.add(json_path(*at, 'order_date'),
                                 'no plan version is valid on this date (first valid from '
                                 f'{self.plan_set.versions[0].valid_from})')
                if paid_day != NO_DATE and not order_day <= paid_day <= period.end_day:
                    self.add(json_path(*at, 'paid_date'),
                             'paid date must lie between the order date and the period end')
                values = {k: self.volume(row.get(k), *at, k) for k in ('pv', 'cv', 'amount')}
                volume_total += values['pv'] + values['cv']
                columns['period'].append(p)
                columns['partner'].append(self.partner_ref(row['partner'], *at, 'partner'))
                columns['customer'].append(row.get('buyer', 'own') == 'customer')
                columns['order_day'].append(order_day)
                columns['paid_day'].append(paid_day)
                for k, v in values.items():
                    columns[k].append(v)
            if volume_total > MAX_PERIOD_VOLUME:
                self.add(json_path('periods', p, 'orders'),
                         'total volume of the period exceeds 90,000,000,000.00')
        self.order_columns = columns

    def build_returns(self):
        columns = {k: [] for k in ('period', 'order', 'day', 'pv', 'cv', 'amount')}
        returned = {}
        for p, period in enumerate(self.periods):
            for i, row in enumerate(self.data['periods'][p].get('returns', [])):
                at = ('periods', p, 'returns', i)
                order = self.order_index.get(str(row['order']))
                day = self.day(row['date'], *at, 'date')
                if order is None:
                    self.add(json_path(*at, 'order'), f"unknown order {str(row['order'])!r}")
                    continue
                if self.order_columns['period'][order] > p:
                    self.add(json_path(*at, 'order'), 'order belongs to a later period')
                    continue
                if day != NO_DATE and not (
                        max(self.order_columns['order_day'][order], period.start_day)
                        <= day <= period.end_day):
                    self.add(json_path(*at, 'date'),
                             'return date must lie in the period and not before the order date')
                if self.order_columns['paid_day'][order] == NO_DATE:
                    self.add(json_path(*at, 'order'), 'an unpaid order cannot be returned')
                values = {}
                for k in ('pv', 'cv', 'amount'):
                    remaining = self.order_columns[k][order] - returned.get((order, k), 0)
                    values[k] = (remaining if k not in row
                                 else self.volume(row[k], *at, k))
                    if values[k] > remaining:
                        self.add(json_path(*at, k),
                                 f'returns exceed the order: only {remaining / 100:.2f} '
                                 f'{k} left to return')
                    returned[order, k] = returned.get((order, k), 0) + values[k]
                columns['period'].append(p)
                columns['order'].append(order)
                columns['day'].append(day)
                for k, v in values.items():
                    columns[k].append(v)
        self.return_columns = columns

    def scenario(self):
        partners = Partners(
            ids=self.ids, sponsor=self.sponsor, binary_parent=self.binary_parent,
            binary_leg=self.binary_leg, matrix_parent=self.matrix_parent, status=self.status,
            join_day=self.join_day, rank_override=self.rank_override,
            previous_highest=self.previous_highest)
        oc, rc = self.order_columns, self.return_columns
        orders = Orders(
            ids=self.order_ids,
            period=np.array(oc['period'], np.int32), partner=np.array(oc['partner'], np.int32),
            customer=np.array(oc['customer'], bool),
            order_day=np.array(oc['order_day'], np.int32),
            paid_day=np.array(oc['paid_day'], np.int32),
            pv=np.array(oc['pv'], np.int64), cv=np.array(oc['cv'], np.int64),
            amount=np.array(oc['amount'], np.int64))
        returns = Returns(
            period=np.array(rc['period'], np.int32), order=np.array(rc['order'], np.int32),
            day=np.array(rc['day'], np.int32), pv=np.array(rc['pv'], np.int64),
            cv=np.array(rc['cv'], np.int64), amount=np.array(rc['amount'], np.int64))
        return Scenario(partners, orders, returns, self.carry, self.periods)


def _cycle_members(parent, suspects):
    """Nodes of ``suspects`` lying on a cycle (not merely below one), in linear time."""
    members, finished = set(), set()
    for start in suspects:
        walk, position = [], {}
        node = start
        while node != -1 and node not in finished and node not in position:
            position[node] = len(walk)
            walk.append(node)
            node = int(parent[node])
        if node in position:
            members.update(walk[position[node]:])
        finished.update(walk)
    return members
