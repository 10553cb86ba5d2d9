# This file is part of the MLM suite. See LICENSE for details.
"The command line is built without loading Tryton's database backend."
import subprocess
import sys


def test_building_the_parser_does_not_import_the_backend():
    # trytond.backend fixes the backend on import: importing it before the
    # configuration of `mlm import -c postgres.conf` is loaded would pick
    # SQLite.
    code = (
        "import sys\n"
        "from mlm_cli.main import build_parser\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith('trytond.')"
        " and m.split('.')[1] in {'backend', 'pool', 'model'}))\n")
    result = subprocess.run([sys.executable, '-c', code],
        capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


def test_subcommands():
    result = subprocess.run([sys.executable, '-m', 'mlm_cli', '--help'],
        capture_output=True, text=True, check=True)
    assert "{demo,serve,admin,test,simulate,bench,import,verify}" in result.stdout
