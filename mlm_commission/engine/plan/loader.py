"""Validate plan data against the schema and semantic rules, then compile it.

:func:`load_plan` reports *every* problem (schema and semantic) with its JSON
path before compiling anything; see :mod:`.schema` and docs/plans.md.
"""
from dataclasses import replace

import numpy as np
from jsonschema import Draft202012Validator

from ..dates import parse_day
from ..errors import Problems, json_path
from ..money import RATE_SCALE, parse_cents, parse_rate
from ..sources import read_data_file, schema_problems
from . import model
from .schema import DECIMAL, PLAN_SCHEMA, RATE, VERSION

MAX_LEVELS = 100
_VALIDATOR = Draft202012Validator(PLAN_SCHEMA)


def read_plan(path):
    """Read, validate and compile the plan file at ``path`` (JSON or YAML)."""
    return load_plan(read_data_file(path), source=str(path))


def load_plan(data, source=None):
    """Validate plan ``data`` (parsed JSON/YAML) and return a :class:`PlanSet`.

    Raises :class:`~mlm_commission.engine.errors.EngineInputError` listing
    every schema and semantic error with its JSON path.
    """
    problems = Problems(source)
    bad_paths = schema_problems(_VALIDATOR, data, problems)
    if not isinstance(data, dict) or not isinstance(data.get('versions'), list):
        problems.raise_if_any()
    for index, version in enumerate(data['versions']):
        broken = [path[2:] for path in bad_paths if path[:2] == ('versions', index)]
        if isinstance(version, dict) and () not in broken:
            _SemanticCheck(version, index, problems, broken).run()
    if not bad_paths:
        _check_versions(data['versions'], problems)
    problems.raise_if_any()
    versions = sorted(
        (_compile_version(v) for v in data['versions']),
        key=lambda v: v.valid_from_day)
    versions = tuple(replace(v, index=i) for i, v in enumerate(versions))
    return model.PlanSet(name=data['name'], currency=data['currency'], versions=versions)


def _check_versions(versions, problems):
    seen_ids, seen_days = {}, {}
    ladder = [r['name'] for r in versions[0]['ranks']]
    for index, version in enumerate(versions):
        where = json_path('versions', index)
        if version['id'] in seen_ids:
            problems.add(f'{where}.id', f"duplicate version id {version['id']!r}")
        seen_ids[version['id']] = index
        if version['valid_from'] in seen_days:
            problems.add(f'{where}.valid_from',
                         f"two versions valid from {version['valid_from']}")
        seen_days[version['valid_from']] = index
        names = [r['name'] for r in version['ranks']]
        if index and names != ladder:
            problems.add(f'{where}.ranks',
                         'every version of a plan must have the same rank names in the same '
                         f'order ({", ".join(ladder)}); start a new plan file for a new ladder')


class _SemanticCheck:
    """Semantic rules of one version that the schema cannot express."""

    def __init__(self, version, index, problems, broken):
        self.version = version
        self.where = json_path('versions', index)
        self.problems = problems
        self.broken_paths = broken
        self.ranks = [r.get('name') for r in version.get('ranks', []) if isinstance(r, dict)]

    def broken(self, *prefix):
        """True if the schema reported an error at or below ``prefix`` (skip that part)."""
        return any(path[:len(prefix)] == prefix or prefix[:len(path)] == path
                   for path in self.broken_paths)

    def add(self, path, reason):
        self.problems.add(f'{self.where}.{path}', reason)

    def rank(self, path, name):
        if name is not None and name not in self.ranks:
            self.add(path, f'unknown rank {name!r} (ranks: {", ".join(self.ranks)})')

    def ranks_keys(self, path, mapping):
        for name in mapping or {}:
            self.rank(f'{path}.{name}', name)

    def decimal(self, path, value, parse):
        try:
            return parse(value)
        except ValueError as error:
            self.add(path, str(error))
            return None

    def rate(self, path, value):
        micro = self.decimal(path, value, parse_rate)
        if micro is not None and micro > RATE_SCALE:
            self.add(path, f'rate {value!r} is greater than 1')
        return micro

    def run(self):
        if not self.broken('valid_from'):
            try:
                parse_day(self.version['valid_from'])
            except ValueError as error:
                self.add('valid_from', str(error))
        if not self.broken('ranks'):
            self.check_ranks()
        self.check_decimals(self.version, VERSION, ())
        components = self.version.get('components', {})
        for name, check in (('stairstep', self.check_stairstep),
                            ('unilevel', self.check_unilevel),
                            ('binary', self.check_binary),
                            ('matrix', self.check_matrix),
                            ('fast_start', self.check_fast_start),
                            ('matching', self.check_matching),
                            ('pools', self.check_pools),
                            ('rank_advancement', self.check_rank_advancement)):
            if name in components and not self.broken('components', name):
                check(components[name], f'components.{name}')

    def check_decimals(self, node, schema, path):
        """Walk data and schema together: money at most 2 decimals, rates 6 and <= 1."""
        if any(path[:len(bad)] == bad for bad in self.broken_paths):
            return
        text = json_path(*path)[2:]
        if schema is RATE:
            self.rate(text, node)
        elif schema is DECIMAL:
            self.decimal(text, node, parse_cents)
        elif isinstance(node, dict):
            for key, value in node.items():
                child = schema.get('properties', {}).get(key, schema.get('additionalProperties'))
                if isinstance(child, dict):
                    self.check_decimals(value, child, path + (key,))
        elif isinstance(node, list) and isinstance(schema.get('items'), dict):
            for i, value in enumerate(node):
                self.check_decimals(value, schema['items'], path + (i,))

    def check_ranks(self):
        seen = set()
        for i, rank in enumerate(self.version['ranks']):
            if rank['name'] in seen:
                self.add(f'ranks[{i}].name', f"duplicate rank name {rank['name']!r}")
            seen.add(rank['name'])
            legs = rank.get('legs')
            if legs:
                self.rank(f'ranks[{i}].legs.min_rank', legs.get('min_rank'))
                if legs['count'] and 'min_rank' not in legs and 'min_volume' not in legs:
                    self.add(f'ranks[{i}].legs',
                             'a leg rule with count > 0 needs min_rank or min_volume')

    def check_stairstep(self, plan, path):
        self.ranks_keys(f'{path}.rates', plan['rates'])
        rates = [self.rate(f'{path}.rates.{r}', plan['rates'][r]) or 0
                 for r in self.ranks if r in plan['rates']]
        if any(b < a for a, b in zip(rates, rates[1:])):
            self.add(f'{path}.rates', 'stair-step rates must not decrease with rank')
        breakaway = plan.get('breakaway')
        if breakaway:
            self.rank(f'{path}.breakaway.rank', breakaway['rank'])
            self.levels(f'{path}.breakaway.generations', breakaway['generations'])

    def check_unilevel(self, plan, path):
        self.ranks_keys(f'{path}.rates', plan['rates'])
        for name, rates in plan['rates'].items():
            self.levels(f'{path}.rates.{name}', rates)

    def levels(self, path, rates):
        if len(rates) > MAX_LEVELS:
            self.add(path, f'{len(rates)} levels is out of range (at most {MAX_LEVELS})')

    def check_binary(self, plan, path):
        pairing = plan['pairing']
        for key in ('left', 'right', 'weak', 'strong'):
            if key in pairing and self.decimal(f'{path}.pairing.{key}', pairing[key],
                                               parse_cents) == 0:
                self.add(f'{path}.pairing.{key}', 'leg threshold must be greater than 0')
        if pairing['type'] != 'weak_leg_percent' and 'cycle_value' not in plan:
            self.add(path, f"pairing type {pairing['type']!r} needs cycle_value")
        self.ranks_keys(f'{path}.cycle_value_by_rank', plan.get('cycle_value_by_rank'))
        self.rank(f'{path}.min_rank', plan.get('min_rank'))
        cap = plan.get('cap')
        if cap and 'max_cycles' not in cap and 'max_earnings' not in cap:
            self.add(f'{path}.cap', 'a cap needs max_cycles or max_earnings')
        if cap and 'max_cycles' in cap and pairing['type'] == 'weak_leg_percent':
            self.add(f'{path}.cap.max_cycles', 'weak_leg_percent pairing has no cycles; '
                     'use max_earnings')

    def check_matrix(self, plan, path):
        self.levels(f'{path}.rates', plan['rates'])

    def check_fast_start(self, plan, path):
        self.levels(f'{path}.rates', plan['rates'])
        self.rank(f'{path}.min_rank', plan.get('min_rank'))

    def check_matching(self, plan, path):
        self.levels(f'{path}.rates', plan['rates'])
        self.rank(f'{path}.min_rank', plan.get('min_rank'))
        self.rank(f'{path}.generation_rank', plan.get('generation_rank'))
        if plan['mode'] == 'generation' and 'generation_rank' not in plan:
            self.add(path, 'mode "generation" needs generation_rank')
        for i, name in enumerate(plan['components']):
            if name not in self.version['components'] and not (
                    name == 'breakaway' and 'stairstep' in self.version['components']):
                self.add(f'{path}.components[{i}]',
                         f'component {name!r} is not part of this version')

    def check_pools(self, pools, path):
        names = set()
        for i, pool in enumerate(pools):
            where = f'{path}[{i}]'
            if pool['name'] in names:
                self.add(f'{where}.name', f"duplicate pool name {pool['name']!r}")
            names.add(pool['name'])
            self.rank(f'{where}.min_rank', pool['min_rank'])
            self.ranks_keys(f'{where}.shares', pool.get('shares'))
            if pool.get('split') == 'shares' and not pool.get('shares'):
                self.add(where, 'split "shares" needs shares by rank')

    def check_rank_advancement(self, plan, path):
        self.ranks_keys(f'{path}.bonuses', plan['bonuses'])


def _cents(value, default=0):
    return default if value is None else parse_cents(value)


def _optional_rate(value):
    return model.UNSET if value is None else parse_rate(value)


def _rank_of(names, name, default=model.NO_RANK):
    return default if name is None else names.index(name)


def _per_rank(names, mapping, parse, default=0):
    return np.array([parse(mapping[n]) if n in mapping else default for n in names],
                    dtype=np.int64)


def _compile_version(data):
    names = [r['name'] for r in data['ranks']]
    comps = data['components']
    volumes = data.get('volumes', {})
    return model.PlanVersion(
        id=data['id'],
        index=0,
        valid_from_day=parse_day(data['valid_from']),
        ranks=tuple(_compile_rank(r, names) for r in data['ranks']),
        career=data.get('career', 'highest'),
        customer_volume_counts=volumes.get('customer_volume_counts', True),
        activity_min_pv=_cents(volumes.get('activity_min_pv')),
        stairstep=_compile_stairstep(comps.get('stairstep'), names),
        unilevel=_compile_unilevel(comps.get('unilevel'), names),
        binary=_compile_binary(comps.get('binary'), names),
        matrix=comps.get('matrix') and model.Matrix(
            volume=comps['matrix'].get('volume', 'cv'),
            width=comps['matrix']['width'],
            rates=_rates(comps['matrix']['rates'])),
        fast_start=comps.get('fast_start') and model.FastStart(
            volume=comps['fast_start'].get('volume', 'cv'),
            days=comps['fast_start']['days'],
            rates=_rates(comps['fast_start']['rates']),
            min_rank=_rank_of(names, comps['fast_start'].get('min_rank'))),
        matching=comps.get('matching') and model.Matching(
            mode=comps['matching']['mode'],
            rates=_rates(comps['matching']['rates']),
            components=tuple(comps['matching']['components']),
            generation_rank=_rank_of(names, comps['matching'].get('generation_rank')),
            min_rank=_rank_of(names, comps['matching'].get('min_rank'))),
        pools=tuple(_compile_pool(p, names) for p in comps.get('pools', ())),
        rank_advancement=comps.get('rank_advancement') and model.RankAdvancement(
            bonuses=_per_rank(names, comps['rank_advancement']['bonuses'], parse_cents),
            hold_periods=comps['rank_advancement'].get('hold_periods', 1)),
        payout_cap=comps.get('payout_cap') and model.PayoutCap(
            share=parse_rate(comps['payout_cap']['share']),
            volume=comps['payout_cap'].get('volume', 'cv')),
    )


def _rates(values):
    return np.array([parse_rate(v) for v in values], dtype=np.int64)


def _compile_rank(data, names):
    legs = data.get('legs', {})
    return model.RankRule(
        name=data['name'],
        min_pv=_cents(data.get('min_pv')),
        min_gv=_cents(data.get('min_gv')),
        leg_count=legs.get('count', 0),
        leg_min_rank=_rank_of(names, legs.get('min_rank'), model.UNSET),
        leg_min_volume=_cents(legs.get('min_volume'), model.UNSET),
        max_leg_share=_optional_rate(data.get('max_leg_share')),
        strongest_leg_cap=_optional_rate(data.get('strongest_leg_cap')),
    )


def _compile_stairstep(data, names):
    if not data:
        return None
    breakaway = data.get('breakaway') or {}
    return model.Stairstep(
        volume=data.get('volume', 'cv'),
        variant=data.get('variant', 'differential'),
        rates=_per_rank(names, data['rates'], parse_rate),
        breakaway_rank=_rank_of(names, breakaway.get('rank'), model.UNSET),
        generations=_rates(breakaway.get('generations', [])),
    )


def _compile_unilevel(data, names):
    if not data:
        return None
    depth = max(len(r) for r in data['rates'].values())
    table = np.zeros((len(names), depth), dtype=np.int64)
    for name, rates in data['rates'].items():
        table[names.index(name), :len(rates)] = [parse_rate(r) for r in rates]
    return model.Unilevel(volume=data.get('volume', 'cv'),
                          compression=data.get('compression', 'none'), rates=table)


def _compile_binary(data, names):
    if not data:
        return None
    pairing = data['pairing']
    cap = data.get('cap', {})
    default_value = _cents(data.get('cycle_value'))
    return model.Binary(
        volume=data.get('volume', 'cv'),
        pairing=pairing['type'],
        left=_cents(pairing.get('left')),
        right=_cents(pairing.get('right')),
        weak=_cents(pairing.get('weak')),
        strong=_cents(pairing.get('strong')),
        rate=parse_rate(pairing['rate']) if 'rate' in pairing else 0,
        cycle_value=default_value,
        cycle_values=_per_rank(names, data.get('cycle_value_by_rank', {}), parse_cents,
                               default_value),
        min_rank=_rank_of(names, data.get('min_rank')),
        flush_inactive=data.get('flush_inactive', False),
        strong_leg_carry_cap=_cents(data.get('strong_leg_carry_cap'), model.UNSET),
        max_cycles=cap.get('max_cycles', model.UNSET),
        max_earnings=_cents(cap.get('max_earnings'), model.UNSET),
        excess=cap.get('excess', 'flush'),
    )


def _compile_pool(data, names):
    split = data.get('split', 'equal')
    shares = (_per_rank(names, data.get('shares', {}), int) if split == 'shares'
              else np.ones(len(names), dtype=np.int64))
    return model.Pool(name=data['name'], share=parse_rate(data['share']),
                      volume=data.get('volume', 'cv'),
                      min_rank=names.index(data['min_rank']), split=split, shares=shares)
