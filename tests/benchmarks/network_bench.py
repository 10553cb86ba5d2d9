# This file is part of the MLM suite. See LICENSE for details.
"""Genealogy benchmark on a throwaway PostgreSQL database.

    python -m tests.benchmarks.network_bench --partners 1000000

1. import the partners (random sponsors plus one deep chain) from a CSV
   file through ``mlm_network.partner_import`` (COPY, no ORM creates);
2. first page and total count of the downline of the partner whose downline
   is closest to 100,000 members;
3. upline of the deepest partner;
4. upline of the deepest partner as of a date before a series of moves.

The database is created from scratch, the figures are printed, and the
database is dropped (unless --keep).  Results: docs/benchmarks.md.
"""
import argparse
import csv
import datetime as dt
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--partners', type=int, default=1000000)
    parser.add_argument('--chain', type=int, default=10000,
        help="length of the deep chain (default 10000)")
    parser.add_argument('--downline', type=int, default=100000,
        help="wanted size of the measured downline (default 100000)")
    parser.add_argument('--moves', type=int, default=5,
        help="moves recorded before the as-of query (default 20)")
    parser.add_argument('--repeat', type=int, default=5,
        help="runs of each query; the median is reported")
    parser.add_argument('--database', default='mlm_bench_network_%s'
        % os.getpid())
    parser.add_argument('--keep', action='store_true',
        help="keep the database")
    parser.add_argument('--seed', type=int, default=1)
    return parser.parse_args(argv)


def generate(path, partners, chain, seed):
    """Write the CSV and return (sponsors, join offsets, chain end index)

    Random sponsors are drawn uniformly among the earlier partners; the
    chain hangs below a random partner at the end of the file."""
    rng = random.Random(seed)
    base = partners - chain
    sponsors = [None] + [rng.randrange(0, i) for i in range(1, base)]
    anchor = rng.randrange(0, base)
    sponsors += [anchor] + list(range(base, partners - 1))
    start = dt.date(2020, 1, 1)
    with open(path, 'w', newline='') as file:
        writer = csv.writer(file)
        writer.writerow(['number', 'name', 'sponsor', 'join_date', 'status'])
        for index, sponsor in enumerate(sponsors):
            writer.writerow([
                    10000000 + index, 'Partner %s' % index,
                    10000000 + sponsor if sponsor is not None else '',
                    (start + dt.timedelta(days=index * 1500 // partners)
                        ).isoformat(),
                    'active'])
    return sponsors


def downline_sizes(sponsors):
    sizes = [0] * len(sponsors)
    for index in range(len(sponsors) - 1, 0, -1):
        sponsor = sponsors[index]
        if sponsor is not None:
            sizes[sponsor] += sizes[index] + 1
    return sizes


def timed(function, repeat):
    "Return (median seconds, last result)"
    durations = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def load():
    "The load averages over 1, 5 and 15 minutes"
    return '%.1f/%.1f/%.1f' % os.getloadavg()


def machine():
    def run(*command):
        try:
            return subprocess.run(command, capture_output=True, text=True
                ).stdout.strip()
        except OSError:
            return '?'
    memory = run('free', '-h').splitlines()
    return {
        'date': run('date', '-u', '+%Y-%m-%d %H:%M UTC'),
        'nproc': run('nproc'),
        'memory': memory[1].split()[1] if len(memory) > 1 else '?',
        'python': platform.python_version(),
        'postgresql': run('psql', '-tAc', 'SHOW server_version',
            'postgres'),
        }


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(format='  %(name)s: %(message)s')
    logging.getLogger('mlm_network').setLevel(logging.INFO)
    os.environ['TRYTOND_DATABASE_URI'] = os.environ.get(
        'TRYTOND_DATABASE_URI', 'postgresql:///')
    os.environ['DB_NAME'] = args.database
    os.environ.pop('DB_CACHE', None)
    from trytond.tests.test_tryton import activate_module, drop_db
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.modules.company.tests import create_company

    info = machine()
    print("Machine: %(date)s, %(nproc)s CPUs, %(memory)s RAM, Python "
        "%(python)s, PostgreSQL %(postgresql)s" % info)
    figures = {}
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'partners.csv')
        start = time.perf_counter()
        sponsors = generate(path, args.partners, args.chain, args.seed)
        print("CSV of %s partners written in %.1f s" % (
                args.partners, time.perf_counter() - start))
        start = time.perf_counter()
        activate_module('mlm_network')
        print("Database %s created in %.1f s" % (
                args.database, time.perf_counter() - start))
        try:
            with Transaction().start(args.database, 0, _lock_tables=[
                        'mlm_network_configuration']) as transaction:
                company = create_company()
                company_id = company.id
                users = _users()
                Configuration = Pool().get('mlm.network.configuration')
                config = Configuration(1)
                config.move_window_days = None
                config.save()
                transaction.commit()
            figures.update(_import(args, path, company_id))
            del path
            figures.update(_queries(args, sponsors, company_id, users))
        finally:
            if not args.keep:
                drop_db(args.database)
                print("Database %s dropped" % args.database)
    print()
    print("| Figure | Target | Measured |")
    print("|---|---|---|")
    for label, target, value in _rows(args, figures):
        print("| %s | %s | %s |" % (label, target, value))
    return 0


def _users():
    from mlm_network.tests.tools import create_genealogy_managers
    return [u.id for u in create_genealogy_managers(
            'bench_requester', 'bench_approver')]


def _import(args, path, company_id):
    from trytond.transaction import Transaction
    from mlm_network.partner_import import import_partners
    start = time.perf_counter()
    cpu = time.process_time()
    with Transaction().start(
            args.database, 0, context={'company': company_id}) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute('SET synchronous_commit TO OFF')
        report = import_partners(path, company=company_id)
        if report.errors:
            raise SystemExit('import failed: %s' % report.errors[:5])
        transaction.commit()
    seconds = time.perf_counter() - start
    print("Imported %s partners (depth %s) in %.1f s, of which %.1f s CPU "
        "in Python (load %s)" % (
            report.created, report.max_depth, seconds,
            time.process_time() - cpu, load()))
    with Transaction().start(
            args.database, 0, autocommit=True) as transaction:
        cursor = transaction.connection.cursor()
        start = time.perf_counter()
        cursor.execute('VACUUM ANALYZE')
        print("VACUUM ANALYZE after the import: %.1f s" % (
                time.perf_counter() - start))
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size("
            "'mlm_distributor'))")
        size, = cursor.fetchone()
    return {'import': seconds, 'depth': report.max_depth, 'size': size}


def _queries(args, sponsors, company_id, users):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from mlm_network import tree

    sizes = downline_sizes(sponsors)
    wanted = min(range(len(sizes)), key=lambda i: abs(sizes[i] - args.downline))
    figures = {'downline_members': sizes[wanted]}
    number_of = lambda index: str(10000000 + index)  # noqa: E731
    with Transaction().start(
            args.database, 0, context={'company': company_id},
            readonly=False) as transaction:
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        User = pool.get('res.user')
        top, = Distributor.search([('number', '=', number_of(wanted))])
        deepest, = Distributor.search(
            [], order=[('depth', 'DESC')], limit=1)
        figures['deepest'] = deepest.depth

        def downline_page():
            domain = Distributor.downline_domain(top)
            page = Distributor.search(
                domain, order=[('depth', 'ASC'), ('number', 'ASC')],
                limit=50)
            count = Distributor.search(domain, count=True)
            return [d.number for d in page], count
        figures['downline'], (page, count) = timed(
            downline_page, args.repeat)
        assert count == sizes[wanted], (count, sizes[wanted])
        print("Downline of %s: %s members, first page %s..%s: %.0f ms "
            "(load %s)" % (
                top.number, count, page[0], page[-1],
                figures['downline'] * 1000, load()))

        def upline():
            # a fresh record: the path is read from the database each time
            return Distributor(deepest.id).upline_values(['number'])
        figures['upline'], result = timed(upline, args.repeat)
        assert len(result) == deepest.depth
        assert result[0][0] == deepest.sponsor.id
        print("Upline of %s: %s sponsors, nearest %s: %.0f ms (load %s)" % (
                deepest.number, len(result), result[0][1],
                figures['upline'] * 1000, load()))

        # moves inside the chain and around it, effective in the last weeks
        requester, approver = User.browse(users)
        rng = random.Random(args.seed)
        upline_ids = tree.path_ids(deepest.path)[:-1]
        today = pool.get('ir.date').today()
        before = today - dt.timedelta(days=60)
        # the nearest sponsors of the deepest partner: small subtrees (a
        # move high in the chain rewrites the paths of 10,000 levels)
        nearest = upline_ids[-500:]
        for index in range(args.moves):
            moved = Distributor(rng.choice(nearest))
            targets = Distributor.search([
                    ('depth', '<', 20), ('sponsor', '!=', None)], limit=200)
            target = rng.choice(targets)
            date = today - dt.timedelta(days=args.moves - index)
            try:
                start = time.perf_counter()
                Distributor.move_sponsor(
                    moved, target, date, "Benchmark", requester, approver)
                print("  moved %s (depth %s) in %.2f s" % (
                        moved.number, moved.depth,
                        time.perf_counter() - start))
            except Exception as exception:  # policy refusal is fine
                print("  move refused: %s" % exception.message
                    if hasattr(exception, 'message') else exception)
            deepest = Distributor(deepest.id)
        transaction.commit()
    with Transaction().start(
            args.database, 0, context={'company': company_id}) as transaction:
        pool = Pool()
        Distributor = pool.get('mlm.distributor')
        deepest = Distributor(deepest.id)

        def upline_at():
            return deepest.upline_ids_at(before)
        figures['upline_at'], result = timed(upline_at, args.repeat)
        print("Upline of %s on %s: %s sponsors (today %s): %.0f ms "
            "(load %s)" % (
                deepest.number, before, len(result), deepest.depth,
                figures['upline_at'] * 1000, load()))
    return figures


def _rows(args, figures):
    ms = lambda s: '%.0f ms' % (s * 1000)  # noqa: E731
    yield ("Import of %s partners (chain of %s, depth %s)" % (
            args.partners, args.chain, figures.get('depth')),
        "≤ 120 s", '%.1f s' % figures['import'])
    yield ("Downline first page (50) + count, %s members"
        % figures.get('downline_members'), "≤ 300 ms",
        ms(figures['downline']))
    yield ("Upline (`upline_values`: ids, numbers) of the deepest partner "
        "(%s levels)"
        % figures.get('deepest'), "≤ 50 ms", ms(figures['upline']))
    yield ("As-of upline (ids) of the deepest partner (%s moves later)"
        % args.moves, "≤ 100 ms", ms(figures['upline_at']))


if __name__ == '__main__':
    sys.exit(main())
