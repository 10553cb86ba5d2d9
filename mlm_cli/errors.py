# This file is part of the MLM suite. See LICENSE for details.


class CliError(Exception):
    "An operator error: printed as one line, exit code 2, no traceback."
