# This file is part of the MLM suite. See LICENSE for details.
import argparse
import io
import tempfile
from pathlib import Path

from trytond.tests.test_tryton import DB_NAME

from mlm_network.cli import register_import

from .tools import DatabaseTestCase


class CliTestCase(DatabaseTestCase):
    "Test the mlm import partners command"
    modules = ('mlm_network',)

    def parse(self, *argv):
        parser = argparse.ArgumentParser(prog='mlm import')
        register_import(parser.add_subparsers(dest='what'))
        args = parser.parse_args(argv)
        args.database = DB_NAME
        return args

    def test_broken_file_exit_code(self):
        "A broken file prints every bad line to stderr and exits with 2"
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / 'partners.csv'
            path.write_text(
                'number,name,sponsor,join_date\n'
                '1,Anna,,2025-01-01\n'
                '2,Ben,9,2025-01-01\n'
                '3,Carla,1,01.02.2025\n')
            args = self.parse('partners', str(path), '--company', '1')
            stdout, stderr = io.StringIO(), io.StringIO()
            code = args.func(args, stdout=stdout, stderr=stderr)
        self.assertEqual(code, 2)
        self.assertEqual(stdout.getvalue(), '')
        self.assertEqual(stderr.getvalue().splitlines(), [
                'Line 3: the sponsor 9 is unknown.',
                'Line 4: "01.02.2025" in join_date is not a date '
                '(YYYY-MM-DD).',
                '2 problem(s) in 3 line(s); nothing was imported.',
                ])

    def test_missing_file(self):
        "A missing file is reported with exit code 2"
        args = self.parse('partners', '/nonexistent/file.csv',
            '--company', '1')
        stderr = io.StringIO()
        self.assertEqual(args.func(args, stderr=stderr), 2)
        self.assertIn('/nonexistent/file.csv', stderr.getvalue())
