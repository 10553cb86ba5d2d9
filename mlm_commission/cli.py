# This file is part of the MLM suite. See LICENSE for details.
"""The ``mlm verify`` command: recompute the closing hash chain and look
for references of the run-written tables that point nowhere (they have no
foreign key constraints, ADR 0049).

Nothing here imports trytond at module level: the CLI builds its parser
before the configuration (and so the database backend) is known.
"""
import sys

__all__ = ['register_verify', 'run_verify']


def register_verify(subparsers):
    "Add the verify command to the subparsers of ``mlm``"
    parser = subparsers.add_parser(
        'verify',
        help="verify the hash chain of the closed commission periods",
        description="Recompute the hash of every closed commission period "
        "over its lines, chained to the previous closing, and name the "
        "first period that no longer matches; check that every reference "
        "of the commission lines, period inputs, figures and rank records "
        "exists. Exit code 0: the chain is intact, 1: a period was changed "
        "or a reference is dangling.")
    parser.add_argument(
        '--company', type=int, default=None,
        help="only the periods of this company id (default: all)")
    parser.set_defaults(func=run_verify)
    return parser


def run_verify(args, stdout=None, stderr=None):
    "Verify in a read-only transaction; return the exit code"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from mlm_network.references import dangling_references, unchecked_models

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    Pool(args.database).init()
    with Transaction().start(args.database, 0, readonly=True):
        pool = Pool()
        Period = pool.get('mlm.commission.period')
        domain = [('state', '=', 'closed')]
        company = getattr(args, 'company', None)
        if company is not None:
            domain.append(('company', '=', company))
        count = Period.search(domain, count=True)
        broken = Period.verify_chain(company=company)
        if broken is not None:
            print("Period %s (%s to %s, company %s) no longer matches its "
                "closing hash: it or an earlier link was changed."
                % (broken.name, broken.start_date, broken.end_date,
                    broken.company.rec_name), file=stderr)
            return 1
        dangling = [(Model, *found) for Model in unchecked_models(pool)
            for found in dangling_references(Model)]
        for Model, column, record, missing in dangling:
            print("%s %s: %s %s does not exist." % (
                    Model.__string__, record, column, missing), file=stderr)
        if dangling:
            return 1
        print("%s closed period(s) verified, the chain is intact; every "
            "reference of the commission lines, inputs, figures and rank "
            "records exists."
            % count, file=stdout)
        return 0
