# This file is part of the MLM suite. See LICENSE for details.
"The verify command builds its parser without importing trytond."
import subprocess
import sys
import unittest

CHECK = """
import argparse, sys
import mlm_commission.cli as cli
parser = argparse.ArgumentParser()
cli.register_verify(parser.add_subparsers())
args = parser.parse_args(['verify', '--company', '3'])
assert args.func is cli.run_verify and args.company == 3
loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'trytond')
assert not loaded, loaded
"""


class VerifyCommandTestCase(unittest.TestCase):

    def test_parser_without_trytond(self):
        result = subprocess.run(
            [sys.executable, '-c', CHECK], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
