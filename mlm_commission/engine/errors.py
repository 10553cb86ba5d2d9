"""Errors raised by the engine for bad input.

Every problem found while loading a plan or a scenario is collected first and
raised together, so a user sees all of them at once.  Each message names the
file (if any), the JSON path and the reason, e.g.
``scenario.yaml: $.partners[3].sponsor: unknown partner 'X9'``.
"""


class EngineInputError(ValueError):
    """Bad plan or scenario input; ``messages`` lists every problem found."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__('\n'.join(self.messages))


def json_path(*parts):
    """Render a JSON path such as ``$.partners[3].sponsor`` from its parts.

    Integers become ``[i]``, strings ``.key``.
    """
    text = '$'
    for part in parts:
        text += f'[{part}]' if isinstance(part, int) else f'.{part}'
    return text


class Problems:
    """Collector of input problems, raised at once by :meth:`raise_if_any`."""

    def __init__(self, source=None):
        self.source = source
        self.messages = []

    def add(self, path, reason):
        prefix = f'{self.source}: ' if self.source else ''
        self.messages.append(f'{prefix}{path}: {reason}')

    def raise_if_any(self):
        if self.messages:
            raise EngineInputError(self.messages)
