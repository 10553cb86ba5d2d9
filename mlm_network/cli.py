# This file is part of the MLM suite. See LICENSE for details.
"""The ``mlm import partners FILE.csv`` command."""
import sys

from mlm_network.partner_csv import COLUMNS

__all__ = ['register_import']


def register_import(import_subparsers):
    "Add the partners command to the subparsers of ``mlm import``"
    parser = import_subparsers.add_parser(
        'partners',
        help="import distributors with their sponsors from a CSV file",
        description="Validate every line first and import nothing unless "
        "all lines are valid. Columns: %s." % ', '.join(COLUMNS))
    parser.add_argument('file', metavar='FILE.csv', help="the CSV file")
    parser.add_argument(
        '--company', type=int, default=None,
        help="the company id (default: the only company)")
    parser.set_defaults(func=run_import)
    return parser


def run_import(args, stdout=None, stderr=None):
    "Run the import in its own transaction; return the exit code"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from mlm_network.partner_import import import_partners

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    Pool(args.database).init()
    with Transaction().start(args.database, 0) as transaction:
        pool = Pool()
        Company = pool.get('company.company')
        company = args.company
        if company is None:
            companies = Company.search([], limit=2)
            if len(companies) != 1:
                print("Give --company: %s companies found."
                    % len(companies), file=stderr)
                transaction.rollback()
                return 2
            company, = companies
            company = company.id
        with transaction.set_context(company=company):
            try:
                report = import_partners(args.file, company=company)
            except OSError as exception:
                print("%s: %s" % (args.file, exception), file=stderr)
                transaction.rollback()
                return 2
        if report.errors:
            transaction.rollback()
            for line, message in report.errors:
                print(message, file=stderr)
            print("%s problem(s) in %s line(s); nothing was imported."
                % (len(report.errors), report.lines), file=stderr)
            return 2
        transaction.commit()
    print("Imported %s partners (%s roots, depth %s, %s addresses, "
        "%s terminated)." % (report.created, report.roots, report.max_depth,
            report.addresses, report.terminated), file=stdout)
    return 0
