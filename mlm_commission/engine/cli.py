"""Command line: ``simulate`` and ``bench engine`` subcommands.

``register_simulate(subparsers)`` and ``register_bench(subparsers)`` add the
commands to an argparse subparsers object (the project's ``mlm`` script and
``python -m mlm_commission.engine`` share them).  Each sets ``func(args) ->
exit code``.  Bad input: every problem on stderr, exit code 2, nothing on
stdout.
"""
import sys

from .errors import EngineInputError

EXIT_BAD_INPUT = 2


def register_simulate(subparsers):
    """Add ``simulate PLAN SCENARIO [--json] [--explain PARTNER]``."""
    parser = subparsers.add_parser(
        'simulate', help='run a plan over a scenario file and print ranks, lines, carry, totals',
        description='Run a compensation plan (JSON/YAML) over a scenario (JSON/YAML) of one '
                    'or several consecutive periods.')
    parser.add_argument('plan', help='plan file (.json, .yaml, .yml)')
    parser.add_argument('scenario', help='scenario file (.json, .yaml, .yml)')
    parser.add_argument('--json', action='store_true',
                        help='print the stable JSON document (format mlm-simulation/1)')
    parser.add_argument('--explain', metavar='PARTNER',
                        help="explain one partner's figures and every line it earns")
    parser.set_defaults(func=simulate_command)
    return parser


def register_bench(subparsers):
    """Add ``engine`` to the ``bench`` sub-subparsers: ``bench engine --partners N``."""
    parser = subparsers.add_parser(
        'engine', help='benchmark the compensation engine on a synthetic tree',
        description='Time every engine component on a synthetic partner tree with one '
                    'order per partner.')
    parser.add_argument('--partners', type=int, required=True, help='number of partners')
    parser.add_argument('--attachment', choices=('random', 'preferential'), default='random',
                        help='random earlier sponsor (default) or preferential attachment')
    parser.add_argument('--chain', type=int, default=10_000,
                        help='length of the extra deep sponsor chain (default 10000)')
    parser.add_argument('--reference', action='store_true',
                        help='also time the reference implementation (on a sample)')
    parser.add_argument('--reference-sample', type=int, default=10_000,
                        help='partners in the reference sample (default 10000)')
    parser.add_argument('--components', metavar='NAMES',
                        help='comma-separated plan components to keep (default: all of '
                             'stairstep,unilevel,binary,matrix,fast_start,matching,pools,'
                             'rank_advancement,payout_cap); volumes and ranks always run')
    parser.add_argument('--repeat', type=int, default=1, metavar='K',
                        help='run the period K times and report the fastest run (default 1)')
    parser.add_argument('--skip-output', action='store_true',
                        help='do not time concatenating and sorting the lines for output')
    parser.add_argument('--hugepage-advice', action='store_true',
                        help="keep numpy's madvise(MADV_HUGEPAGE) on large arrays (by default "
                             'the benchmark turns it off, like NUMPY_MADVISE_HUGEPAGE=0: with '
                             'transparent huge pages in "madvise" mode the kernel compacts '
                             'memory on every large allocation; see docs/benchmarks.md)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--json', action='store_true', help='print figures as JSON')
    parser.set_defaults(func=bench_command)
    return parser


def simulate_command(args):
    """Run ``simulate``: print the report, or every input error and return 2."""
    from .report import dumps, simulation_json, text_report
    from .simulate import simulate_files
    try:
        plan_set, results = simulate_files(args.plan, args.scenario)
        if args.explain is not None and args.explain not in results[0].partners.ids:
            raise EngineInputError([f'{args.scenario}: --explain: unknown partner '
                                    f'{args.explain!r}'])
        if args.json:
            output = dumps(simulation_json(plan_set, results, args.explain))
        else:
            output = text_report(plan_set, results, args.explain)
    except EngineInputError as error:
        for message in error.messages:
            print(f'error: {message}', file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(output)
    return 0


def bench_command(args):
    """Run ``bench engine`` after checking its arguments."""
    from .bench import COMPONENT_NAMES, run_benchmark
    if args.partners < 10:
        print('error: --partners must be at least 10', file=sys.stderr)
        return EXIT_BAD_INPUT
    unknown = set(args.components.split(',') if args.components else ()) - set(COMPONENT_NAMES)
    if unknown:
        print(f"error: --components: unknown {', '.join(sorted(unknown))} "
              f"(choose from {','.join(COMPONENT_NAMES)})", file=sys.stderr)
        return EXIT_BAD_INPUT
    run_benchmark(args)
    return 0
