"""``python -m mlm_commission.engine simulate ...`` / ``... bench engine ...``."""
import argparse
import sys

from .cli import register_bench, register_simulate


def build_parser():
    parser = argparse.ArgumentParser(prog='python -m mlm_commission.engine')
    commands = parser.add_subparsers(dest='command', required=True)
    register_simulate(commands)
    bench = commands.add_parser('bench', help='benchmarks')
    register_bench(bench.add_subparsers(dest='target', required=True))
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
