"""Reading plan and scenario files (JSON or YAML) into plain Python data.

YAML timestamps are kept as strings and YAML floats are left as floats, so
the schema rejects unquoted decimals instead of silently rounding them; a key
given twice in one mapping is an error (YAML and JSON would keep the last).
"""
import json
import os

import yaml

from .errors import EngineInputError, json_path


class _PlainYamlLoader(yaml.SafeLoader):
    """Safe YAML loader that does not turn ``2024-07-01`` into a date."""


_PlainYamlLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers
          if tag != 'tag:yaml.org,2002:timestamp']
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_without_duplicates(loader, node, deep=False):
    """Build a YAML mapping, refusing a key written twice (YAML would keep the last).

    Keys brought in by a merge (``<<: *anchor``) may be overridden, as YAML intends.
    """
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == 'tag:yaml.org,2002:merge':
            continue
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f'duplicate key {key!r}', key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_PlainYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _mapping_without_duplicates)


def _object_without_duplicates(pairs):
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f'duplicate key {duplicates[0]!r}')
    return dict(pairs)


def read_data_file(path):
    """Parse ``path`` as YAML (``.yaml``/``.yml``) or JSON (anything else).

    Raises :class:`EngineInputError` naming the file and the position of a
    syntax error, or a missing file.
    """
    name = os.fspath(path)
    try:
        with open(name, encoding='utf-8') as handle:
            text = handle.read()
    except OSError as error:
        raise EngineInputError([f'{name}: cannot read file: {error.strerror}']) from None
    try:
        if name.endswith(('.yaml', '.yml')):
            return yaml.load(text, Loader=_PlainYamlLoader)
        return json.loads(text, object_pairs_hook=_object_without_duplicates)
    except yaml.YAMLError as error:
        mark = getattr(error, 'problem_mark', None)
        where = f'line {mark.line + 1}, column {mark.column + 1}: ' if mark else ''
        problem = getattr(error, 'problem', None) or str(error)
        raise EngineInputError([f'{name}: {where}invalid YAML: {problem}']) from None
    except json.JSONDecodeError as error:
        raise EngineInputError(
            [f'{name}: line {error.lineno}, column {error.colno}: invalid JSON: {error.msg}']
        ) from None
    except ValueError as error:
        raise EngineInputError([f'{name}: invalid JSON: {error}']) from None


def schema_problems(validator, data, problems):
    """Add every JSON-schema error of ``data`` to ``problems``; return their paths.

    Paths are tuples of keys/indices; a float where a decimal string is
    expected gets a hint to quote it.
    """
    errors = sorted(validator.iter_errors(data),
                    key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        message = error.message
        if error.validator == 'type' and isinstance(error.instance, float):
            message = (f'{error.instance!r} is a floating-point number; write decimals as '
                       f'quoted strings, e.g. "{error.instance}"')
        problems.add(json_path(*error.absolute_path), message)
    return [tuple(error.absolute_path) for error in errors]
