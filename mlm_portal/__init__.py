# This file is part of the MLM suite. See LICENSE for details.
# The HTTP routes of the portal are registered on import (see ADR 0030).
from . import routes  # noqa: F401
from . import commission  # noqa: F401
