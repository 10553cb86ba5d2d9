"""JSON Schema (draft 2020-12) of a plan file; see docs/plans.md for the guide.

Money, volumes and rates are decimal strings (integers are accepted) so no
binary floating point ever touches an amount.
"""
DECIMAL = {
    'type': ['string', 'integer'],
    'pattern': r'^[0-9]+(\.[0-9]+)?$',
    'minimum': 0,
}
RATE = dict(DECIMAL, description='decimal fraction, e.g. "0.05" for 5 %')
RATE_LIST = {'type': 'array', 'items': RATE, 'minItems': 1}
RANK_NAME = {'type': 'string', 'minLength': 1}
VOLUME_KIND = {'enum': ['pv', 'cv']}
POSITIVE_INT = {'type': 'integer', 'minimum': 1}
RATES_BY_RANK = {
    'type': 'object', 'additionalProperties': RATE, 'minProperties': 1,
}

LEG_RULE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['count'],
    'properties': {
        'count': {'type': 'integer', 'minimum': 0},
        'min_rank': RANK_NAME,
        'min_volume': DECIMAL,
    },
}

RANK = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['name'],
    'properties': {
        'name': RANK_NAME,
        'min_pv': DECIMAL,
        'min_gv': DECIMAL,
        'legs': LEG_RULE,
        'max_leg_share': RATE,
        'strongest_leg_cap': RATE,
    },
}

STAIRSTEP = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['rates'],
    'properties': {
        'volume': VOLUME_KIND,
        'variant': {'enum': ['differential', 'tier_slot']},
        'rates': RATES_BY_RANK,
        'breakaway': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['rank', 'generations'],
            'properties': {'rank': RANK_NAME, 'generations': RATE_LIST},
        },
    },
}

UNILEVEL = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['rates'],
    'properties': {
        'volume': VOLUME_KIND,
        'compression': {'enum': ['none', 'static', 'dynamic']},
        'rates': {
            'type': 'object', 'minProperties': 1,
            'additionalProperties': {'type': 'array', 'items': RATE},
        },
    },
}

PAIRING = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['type'],
    'properties': {
        'type': {'enum': ['fixed', 'ratio', 'weak_leg_percent']},
        'left': DECIMAL, 'right': DECIMAL,
        'weak': DECIMAL, 'strong': DECIMAL,
        'rate': RATE,
    },
    'allOf': [
        {'if': {'properties': {'type': {'const': kind}}},
         'then': {'required': required}}
        for kind, required in (('fixed', ['left', 'right']),
                               ('ratio', ['weak', 'strong']),
                               ('weak_leg_percent', ['rate']))
    ],
}

BINARY = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['pairing'],
    'properties': {
        'volume': VOLUME_KIND,
        'pairing': PAIRING,
        'cycle_value': DECIMAL,
        'cycle_value_by_rank': {'type': 'object', 'additionalProperties': DECIMAL},
        'min_rank': RANK_NAME,
        'flush_inactive': {'type': 'boolean'},
        'strong_leg_carry_cap': DECIMAL,
        'cap': {
            'type': 'object', 'additionalProperties': False, 'required': ['excess'],
            'properties': {
                'max_cycles': {'type': 'integer', 'minimum': 0},
                'max_earnings': DECIMAL,
                'excess': {'enum': ['flush', 'carry']},
            },
        },
    },
}

MATRIX = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['width', 'rates'],
    'properties': {
        'volume': VOLUME_KIND,
        'width': POSITIVE_INT,
        'rates': RATE_LIST,
    },
}

FAST_START = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['days', 'rates'],
    'properties': {
        'volume': VOLUME_KIND,
        'days': POSITIVE_INT,
        'rates': RATE_LIST,
        'min_rank': RANK_NAME,
    },
}

MATCHING = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['mode', 'rates', 'components'],
    'properties': {
        'mode': {'enum': ['level', 'generation']},
        'rates': RATE_LIST,
        'generation_rank': RANK_NAME,
        'min_rank': RANK_NAME,
        'components': {
            'type': 'array', 'minItems': 1, 'uniqueItems': True,
            'items': {'enum': ['stairstep', 'breakaway', 'unilevel', 'binary',
                               'matrix', 'fast_start']},
        },
    },
}

POOL = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['name', 'share', 'min_rank'],
    'properties': {
        'name': {'type': 'string', 'minLength': 1},
        'share': RATE,
        'volume': VOLUME_KIND,
        'min_rank': RANK_NAME,
        'split': {'enum': ['equal', 'shares']},
        'shares': {'type': 'object', 'additionalProperties': POSITIVE_INT},
    },
}

RANK_ADVANCEMENT = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['bonuses'],
    'properties': {
        'bonuses': {'type': 'object', 'additionalProperties': DECIMAL, 'minProperties': 1},
        'hold_periods': POSITIVE_INT,
    },
}

PAYOUT_CAP = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['share'],
    'properties': {'share': RATE, 'volume': VOLUME_KIND},
}

VERSION = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['id', 'valid_from', 'ranks', 'components'],
    'properties': {
        'id': {'type': 'string', 'minLength': 1},
        'valid_from': {'type': 'string', 'format': 'date',
                       'pattern': r'^\d{4}-\d{2}-\d{2}$'},
        'volumes': {
            'type': 'object', 'additionalProperties': False,
            'properties': {
                'customer_volume_counts': {'type': 'boolean'},
                'activity_min_pv': DECIMAL,
            },
        },
        'career': {'enum': ['highest', 'requalify']},
        'ranks': {'type': 'array', 'items': RANK, 'minItems': 1},
        'components': {
            'type': 'object',
            'additionalProperties': False,
            'minProperties': 1,
            'properties': {
                'stairstep': STAIRSTEP,
                'unilevel': UNILEVEL,
                'binary': BINARY,
                'matrix': MATRIX,
                'fast_start': FAST_START,
                'matching': MATCHING,
                'pools': {'type': 'array', 'items': POOL, 'minItems': 1},
                'rank_advancement': RANK_ADVANCEMENT,
                'payout_cap': PAYOUT_CAP,
            },
        },
    },
}

PLAN_SCHEMA = {
    '$schema': 'https://json-schema.org/draft/2020-12/schema',
    'title': 'MLM compensation plan',
    'type': 'object',
    'additionalProperties': False,
    'required': ['name', 'currency', 'versions'],
    'properties': {
        'name': {'type': 'string', 'minLength': 1},
        'currency': {'type': 'string', 'pattern': '^[A-Z]{3}$'},
        'versions': {'type': 'array', 'items': VERSION, 'minItems': 1},
    },
}
