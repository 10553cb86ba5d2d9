# This file is part of the MLM suite. See LICENSE for details.
"""Portal benchmark on a throwaway PostgreSQL database.

    python -m tests.benchmarks.portal_bench --partners 1000000

1. import the partners (random sponsors plus one deep chain, as the
   genealogy benchmark) through ``mlm_network.partner_import``, let the
   newest --new-this-month of them join this month, build the downline
   statistics (``refresh_downline_stats``, as after every import) and give
   every partner a rank record for last month (one INSERT ... SELECT; the
   leader's is the second-highest rank, so the dashboard shows the progress
   to the next one);
2. create a portal login for the partner whose downline is closest to
   100,000 members;
   with --commission also ``mlm_commission``: the commission benchmark's
   company, plan and period 2024-07, one order per partner and a committed
   run of that period, so the dashboard shows the open period's commission
   preview and the progress to the next rank from real run figures;
3. with --profile K: render each page K times in this process under
   cProfile and print where the time goes (SQL, template, other Python);
4. serve the database with ``trytond`` on loopback and send the requests
   from a load generator in this process: log in (CSRF token, session
   cookie), warm up, then --requests GETs of the dashboard and of the first
   downline page with --concurrency clients;
5. print p50/p95/max per page and the load average.

The database is dropped at the end (unless --keep).  Results:
docs/benchmarks.md, section Portal.
"""
import argparse
import concurrent.futures
import datetime as dt
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from tests.benchmarks import commission_bench
from tests.benchmarks.network_bench import (
    downline_sizes, generate, machine)

PASSWORD = 'Bench-Portal-2026'
EMAIL = 'bench.leader@example.com'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--partners', type=int, default=1000000)
    parser.add_argument('--chain', type=int, default=10000)
    parser.add_argument('--downline', type=int, default=100000)
    parser.add_argument('--requests', type=int, default=200)
    parser.add_argument('--concurrency', type=int, default=2)
    parser.add_argument('--database', default='mlm_bench_portal_%s'
        % os.getpid())
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--reuse', action='store_true',
        help="use an existing database made with --keep")
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--new-this-month', type=int, default=30000,
        help="partners (the newest) who joined this month")
    parser.add_argument('--profile', type=int, default=0, metavar='K',
        help="profile K in-process renderings of each page first")
    parser.add_argument('--commission', action='store_true',
        help="activate mlm_commission too, with orders and a run")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.environ['TRYTOND_DATABASE_URI'] = os.environ.get(
        'TRYTOND_DATABASE_URI', 'postgresql:///')
    os.environ['DB_NAME'] = args.database
    os.environ.pop('DB_CACHE', None)
    from trytond.tests.test_tryton import activate_module, drop_db

    info = machine()
    print("Machine: %(date)s, %(nproc)s CPUs, %(memory)s RAM, Python "
        "%(python)s, PostgreSQL %(postgresql)s" % info)
    try:
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'partners.csv')
            sponsors = generate(path, args.partners, args.chain, args.seed)
            sizes = downline_sizes(sponsors)
            wanted = min(range(len(sizes)),
                key=lambda i: abs(sizes[i] - args.downline))
            number = str(10000000 + wanted)
            if not args.reuse:
                start = time.perf_counter()
                activate_module(['mlm_portal'] + (
                        ['mlm_commission'] if args.commission else []))
                print("Database %s created in %.1f s" % (
                        args.database, time.perf_counter() - start))
                _populate(args, path, number)
            else:
                _statistics(args)
            print("Partner %s has %s members in the downline" % (
                    number, sizes[wanted]))
            if args.profile:
                _profile(args)
            figures = _load(args, directory)
    finally:
        if not args.keep:
            drop_db(args.database)
            print("Database %s dropped" % args.database)
    print()
    print("| Page (%s requests, %s clients) | Target p95 | p50 | p95 | max "
        "| load average |" % (args.requests, args.concurrency))
    print("|---|---|---|---|---|---|")
    for page, (durations, load) in figures.items():
        durations = sorted(durations)
        p95 = durations[max(int(len(durations) * 0.95) - 1, 0)]
        print("| %s | ≤ 300 ms | %.0f ms | %.0f ms | %.0f ms | %s |" % (
                page, statistics.median(durations) * 1000, p95 * 1000,
                durations[-1] * 1000, load))
    return 0


def _populate(args, path, number):
    from trytond.modules.company.tests import create_company
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from mlm_network.partner_import import import_partners

    if args.commission:
        # the chart of accounts locks tables: retried with the locks
        company_id = commission_bench._in_transaction(
            args, commission_bench._setup_company)
    else:
        with Transaction().start(args.database, 0) as transaction:
            company_id = create_company().id
            transaction.commit()
    start = time.perf_counter()
    with Transaction().start(
            args.database, 0, context={'company': company_id}) as transaction:
        transaction.connection.cursor().execute(
            'SET synchronous_commit TO OFF')
        report = import_partners(path, company=company_id)
        if report.errors:
            raise SystemExit('import failed: %s' % report.errors[:5])
        transaction.commit()
    print("Imported %s partners in %.1f s" % (
            report.created, time.perf_counter() - start))
    _statistics(args)
    with Transaction().start(
            args.database, 0, context={'company': company_id}) as transaction:
        pool = Pool()
        Rank = pool.get('mlm.rank')
        Distributor = pool.get('mlm.distributor')
        WebUser = pool.get('web.user')
        News = pool.get('mlm.portal.news')
        ranks = Rank.search([], order=[('level', 'ASC')]) or Rank.create([{
                    'name': name, 'code': name[:1], 'level': level,
                    } for level, name in enumerate(
                    ["Partner", "Bronze", "Silver", "Gold"], 1)])
        today = pool.get('ir.date').today()
        end = today.replace(day=1) - dt.timedelta(days=1)
        begin = end.replace(day=1)
        start = time.perf_counter()
        cursor = transaction.connection.cursor()
        # one rank record per partner: rank by id modulo 4
        cursor.execute(
            'INSERT INTO mlm_rank_record (company, distributor, '
            'period_start, period_end, computed_rank, paid_as_rank, '
            'highest_rank, create_uid, create_date) '
            'SELECT d.company, d.id, %s, %s, r.id, r.id, r.id, 0, '
            'CURRENT_TIMESTAMP FROM mlm_distributor d '
            'JOIN mlm_rank r ON r.level = 1 + d.id %% 4',
            (begin, end))
        print("Rank records written in %.1f s" % (
                time.perf_counter() - start))
        top, = Distributor.search([('number', '=', number)])
        # the leader is paid as the second-highest rank: the dashboard
        # shows the progress to the top rank
        cursor.execute(
            'UPDATE mlm_rank_record SET computed_rank = %s, '
            'paid_as_rank = %s, highest_rank = %s '
            'WHERE distributor = %s AND period_start = %s',
            (ranks[-2].id,) * 3 + (top.id, begin))
        WebUser.create([{
                    'email': EMAIL, 'password': PASSWORD,
                    'party': top.party.id, 'email_valid': True,
                    }])
        News.create([{
                    'title': "News %s" % i, 'body': "Text", 'published': True,
                    'ranks': [('add', [ranks[i % 4].id])] if i % 2 else [],
                    } for i in range(20)])
        transaction.commit()
    if args.commission:
        _commission_run(args, company_id)
    with Transaction().start(args.database, 0) as transaction:
        transaction.connection.cursor().execute('ANALYZE')


def _commission_run(args, company_id):
    "One order per partner in 2024-07 and a committed run of that period"
    args.orders = args.partners
    commission_bench._in_transaction(args,
        lambda: commission_bench._orders(args, company_id),
        context={'company': company_id})
    seconds, figures, timings = commission_bench.run_period(
        args, commit=True)
    print("Commission run of 2024-07 in %.1f s (%s lines; %s; load %s)" % (
            seconds, figures['lines'], ', '.join(
                '%s %.1f s' % (k, v) for k, v in timings.items()),
            load_average()))


def _statistics(args):
    """Let the newest partners join this month, then (re)build the downline
    statistics as after every import (idempotent: --reuse runs it again)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from mlm_network.downline_stats import refresh_downline_stats
    if args.database not in Pool.database_list():
        Pool(args.database).init()
    with Transaction().start(args.database, 0) as transaction:
        _join_this_month(args.new_this_month)
        start = time.perf_counter()
        written = refresh_downline_stats()
        transaction.commit()
    print("Downline statistics rebuilt in %.1f s (%s rows written)" % (
            time.perf_counter() - start, written))
    with Transaction().start(args.database, 0) as transaction:
        transaction.connection.cursor().execute('ANALYZE mlm_distributor')


def _join_this_month(count):
    """Let the newest count partners join on the first of this month.

    They are the last of the file: their sponsors are older partners or
    partners of the same day, so no sponsor joins after the member."""
    from trytond.transaction import Transaction
    first = dt.date.today().replace(day=1)
    Transaction().connection.cursor().execute(
        'UPDATE mlm_distributor SET join_date = %s, status_date = %s '
        'WHERE id > (SELECT MAX(id) FROM mlm_distributor) - %s',
        (first, first, count))


def _profile(args):
    """Render each page --profile times in this process under cProfile and
    print the share of SQL (psycopg), templates (jinja2) and the rest"""
    import cProfile
    import pstats

    from trytond.protocols.wrappers import Response
    from trytond.tests.test_tryton import Client
    from trytond.wsgi import app
    import mlm_portal.routes  # noqa: F401 registers the routes

    client = Client(app, Response)
    base = '/%s/portal' % args.database
    page = client.get(base + '/login').text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(base + '/login', data={
            'csrf_token': token, 'email': EMAIL, 'password': PASSWORD})
    for label, path in [('Dashboard', '/dashboard'),
            ('Downline, first page', '/downline')]:
        assert client.get(base + path).status_code == 200
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for _ in range(args.profile):
            client.get(base + path)
        profile.disable()
        total = (time.perf_counter() - start) / args.profile
        stats = pstats.Stats(profile)
        sql = template = 0
        for (filename, _, name), row in stats.stats.items():
            cumulative = row[3]
            if 'psycopg' in filename and name in {
                    'execute', 'fetchone', 'fetchall', 'fetchmany',
                    '__iter__'}:
                sql += cumulative
            elif 'jinja2/environment' in filename and name == 'render':
                template += cumulative
        sql /= args.profile
        template /= args.profile
        # the lazy reads of the templates count as SQL and as template
        print("Profile %s (in process, %s renderings, load %s): %.0f ms "
            "per page: SQL %.0f ms, template rendering %.0f ms (with "
            "its lazy reads)" % (label, args.profile, load_average(),
                total * 1000, sql * 1000, template * 1000))
        stats.sort_stats('cumulative').print_stats(12)


def load_average():
    return '%.1f' % os.getloadavg()[0]


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _load(args, directory):
    port = free_port()
    config = os.path.join(directory, 'trytond.conf')
    with open(config, 'w') as file:
        file.write("[database]\nuri = %s\n[web]\nlisten = 127.0.0.1:%s\n"
            % (os.environ['TRYTOND_DATABASE_URI'], port))
    log = open(os.path.join(directory, 'server.log'), 'w')
    trytond = os.path.join(os.path.dirname(sys.executable), 'trytond')
    server = subprocess.Popen(
        [trytond, '-c', config, '-d', args.database],
        stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, TRYTOND_LOGGING_LEVEL='40'))
    base = 'http://127.0.0.1:%s/%s/portal' % (port, args.database)
    try:
        opener = _wait_and_login(base, server)
        pages = {
            'Dashboard': base + '/dashboard',
            'Downline, first page': base + '/downline',
            }
        figures = {}
        for label, url in pages.items():
            for _ in range(10):
                _get(opener, url)
            with concurrent.futures.ThreadPoolExecutor(
                    args.concurrency) as executor:
                durations = list(executor.map(
                        lambda _: _get(opener, url), range(args.requests)))
            figures[label] = durations, load_average()
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _get(opener, url):
    start = time.perf_counter()
    with opener.open(url, timeout=30) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - start


def _wait_and_login(base, server, timeout=120):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise SystemExit("trytond exited with %s" % server.returncode)
        try:
            with opener.open(base + '/login', timeout=10) as response:
                page = response.read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({
            'csrf_token': token, 'email': EMAIL, 'password': PASSWORD,
            }).encode()
    with opener.open(base + '/login', data=data, timeout=30) as response:
        if not response.url.endswith('/dashboard'):
            raise SystemExit("login failed: %s" % response.url)
    return opener


if __name__ == '__main__':
    sys.exit(main())
