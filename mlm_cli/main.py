# This file is part of the MLM suite. See LICENSE for details.
"""The `mlm` command: one entry point for operators.

    mlm demo        create (once) and serve the SQLite demo
    mlm serve       serve a configuration with the web client
    mlm admin ...   trytond-admin with the project configuration
    mlm test        run the whole test suite (SQLite or PostgreSQL)
    mlm simulate    run a compensation plan over a scenario file
    mlm bench       benchmarks (engine, ...)
    mlm import      bulk imports into a database (partners, ...)
    mlm verify      recompute the hash chain of closed commission periods
"""
import argparse
import os
import sys

from mlm_commission.cli import register_verify
from mlm_commission.engine.cli import register_bench, register_simulate
from mlm_network.cli import register_import

from . import admin, server, testing
from .errors import CliError
from .paths import DEMO_CONFIG
from .settings import Settings


def config_argument(parser):
    parser.add_argument('-c', '--config',
        default=os.environ.get('MLM_CONFIG', str(DEMO_CONFIG)),
        help="trytond configuration file (default: $MLM_CONFIG or "
        "config/demo.conf)")


def build_parser():
    parser = argparse.ArgumentParser(prog='mlm', description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)

    demo = commands.add_parser('demo', help="create and serve the demo")
    config_argument(demo)
    demo.add_argument('--size', type=int, default=server.DEMO_SIZE,
        help="number of partners in the demo organisation")
    demo.add_argument('--database', default=server.DEMO_DATABASE)
    demo.add_argument('--reset', action='store_true',
        help="rebuild the demo database from scratch")
    demo.add_argument('--no-serve', action='store_true',
        help="build the database only")
    demo.set_defaults(func=server.demo)

    serve = commands.add_parser('serve', help="serve with the web client")
    config_argument(serve)
    serve.add_argument('-d', '--database', nargs='+', default=[],
        help="databases to serve (default: every SQLite database of the "
        "configuration)")
    serve.set_defaults(func=server.serve)

    admin_parser = commands.add_parser('admin',
        help="trytond-admin with the project configuration")
    config_argument(admin_parser)
    admin_parser.add_argument('arguments', nargs=argparse.REMAINDER,
        help="arguments passed to trytond-admin")
    admin_parser.set_defaults(func=admin.admin)

    test = commands.add_parser('test', help="run the test suite")
    test.add_argument('--backend', choices=['sqlite', 'postgresql'],
        default='sqlite')
    test.add_argument('pytest_args', nargs=argparse.REMAINDER,
        help="extra arguments for pytest")
    test.set_defaults(func=testing.test)

    register_simulate(commands)
    bench = commands.add_parser('bench', help="benchmarks")
    register_bench(bench.add_subparsers(dest='target', required=True))

    import_parser = commands.add_parser('import',
        help="bulk imports (all-or-nothing)")
    config_argument(import_parser)
    import_parser.add_argument('-d', '--database',
        default=server.DEMO_DATABASE, help="database to import into")
    import_parser.set_defaults(prepare=load_trytond_config)
    register_import(import_parser.add_subparsers(dest='kind', required=True))

    verify = register_verify(commands)
    config_argument(verify)
    verify.add_argument('-d', '--database', default=server.DEMO_DATABASE,
        help="database to verify")
    verify.set_defaults(prepare=load_trytond_config)
    return parser


def load_trytond_config(args):
    "Commands that open a database get the project configuration first."
    Settings(args.config).apply()


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if prepare := getattr(args, 'prepare', None):
            prepare(args)
        return args.func(args) or 0
    except CliError as error:
        print(f"mlm: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
