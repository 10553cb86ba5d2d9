# This file is part of the MLM suite. See LICENSE for details.
"""`mlm test`: run the whole test suite on SQLite or PostgreSQL.

Tryton's DB_CACHE is keyed only by the list of module names, so the cache is
keyed here on a hash of the module sources and of the installed trytond
distributions: a changed schema never reuses a stale cache.  On SQLite the
cache is a folder named after that hash; on PostgreSQL it is Tryton's template
databases (``test-<module list hash>``, created in about a second instead of a
pg_restore), each marked with the source hash as its comment and dropped when
the hash no longer matches (ADR 0002).
"""
import getpass
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from .errors import CliError
from .paths import PROJECT_ROOT, TEST_CACHE, TEST_OUTPUT

MODULE_DIRS = [
    'mlm_network', 'mlm_commission', 'mlm_portal', 'mlm_dms', 'mlm_banking',
    'addons']
SCHEMA_SUFFIXES = {'.py', '.xml', '.cfg', '.po'}
CHROMIUM = '/usr/bin/chromium'
TEMPLATE_NAME = re.compile(r'^test-[0-9a-f]{40}$')
STALE_CACHE = 24 * 3600    # seconds unused before another hash's cache goes
NEVER = 10 ** 9            # seconds


def source_hash():
    "Hash of everything that shapes a test database's schema and data."
    digest = hashlib.sha256()
    for directory in MODULE_DIRS:
        for path in sorted((PROJECT_ROOT / directory).rglob('*')):
            relative = path.relative_to(PROJECT_ROOT)
            if (path.suffix in SCHEMA_SUFFIXES and path.is_file()
                    and 'tests' not in relative.parts
                    and 'engine' not in relative.parts):
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    for distribution in sorted(
            d.metadata['Name'] for d in metadata.distributions()
            if d.metadata['Name'].lower().startswith('trytond')):
        digest.update(f'{distribution}={metadata.version(distribution)}'
            .encode())
    return digest.hexdigest()[:16]


def use_test_cache(name, digest):
    """The folder TEST_CACHE/name (created, marked as used now); the folders
    of other source hashes unused for a day are removed.  Another checkout
    of the machine may be testing other sources right now: its cache stays."""
    TEST_CACHE.mkdir(parents=True, exist_ok=True)
    for folder in TEST_CACHE.iterdir():
        if (digest not in folder.name
                and time.time() - folder.stat().st_mtime > STALE_CACHE):
            shutil.rmtree(folder, ignore_errors=True)
    folder = TEST_CACHE / name
    folder.mkdir(exist_ok=True)
    os.utime(folder)
    return folder


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def ensure_postgresql():
    "Start the local cluster when it is installed but down; ensure our role."
    if shutil.which('pg_isready') and run(['pg_isready', '-q']).returncode:
        versions = sorted(Path('/etc/postgresql').glob('*/main'))
        if not versions or not shutil.which('pg_ctlcluster'):
            raise CliError("PostgreSQL is not running and no local cluster "
                "is installed (apt-get install postgresql)")
        version = versions[-1].parent.name
        result = run(['pg_ctlcluster', version, 'main', 'start'])
        if result.returncode:
            raise CliError(f"cannot start PostgreSQL {version}: "
                f"{result.stderr.strip()}")
    if run(['psql', '-d', 'postgres', '-Atc', 'select 1']).returncode:
        user = getpass.getuser()
        result = run(['runuser', '-u', 'postgres', '--',
                'createuser', '--superuser', user])
        if result.returncode:
            raise CliError(f"cannot create PostgreSQL role {user!r}: "
                f"{result.stderr.strip()}")


def psql(sql):
    result = run(['psql', '-d', 'postgres', '-XAtq', '-v', 'ON_ERROR_STOP=1',
            '-c', sql])
    if result.returncode:
        raise CliError(f"psql failed: {result.stderr.strip()}")
    return [line.split('|') for line in result.stdout.splitlines()]


def template_databases():
    "Return {name: comment} of Tryton's cached test template databases."
    rows = psql("SELECT datname, coalesce(shobj_description(oid, "
        "'pg_database'), '') FROM pg_database WHERE datname LIKE 'test-%'")
    return {name: comment for name, comment in rows
        if TEMPLATE_NAME.match(name)}


def drop_stale_templates(digest):
    "Drop the template databases built from other sources (or unfinished)."
    for name, comment in template_databases().items():
        if comment != digest:
            psql(f'DROP DATABASE IF EXISTS "{name}"')


def mark_templates(digest):
    "Stamp the templates created by this run with the source hash."
    for name, comment in template_databases().items():
        if not comment:
            psql(f'COMMENT ON DATABASE "{name}" IS \'{digest}\'')


def drop_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}"')


def ensure_chromium():
    "Install Debian's Chromium for the browser tests when it is missing."
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() != 0:
        raise CliError("browser tests need Chromium: "
            "sudo apt-get install -y chromium")
    print("Installing Chromium for the browser tests ...", flush=True)
    for command in (['apt-get', 'update', '-qq'],
            ['apt-get', 'install', '-y', '-qq', 'chromium']):
        result = run(command, env=dict(os.environ,
                DEBIAN_FRONTEND='noninteractive'))
        if result.returncode:
            raise CliError(f"{' '.join(command)} failed: "
                f"{result.stderr.strip().splitlines()[-1:]}")


def test(args):
    env = dict(os.environ)
    env.pop('TRYTOND_CONFIG', None)
    digest = source_hash()
    output = TEST_OUTPUT / args.backend
    output.mkdir(parents=True, exist_ok=True)
    pytest_args = list(args.pytest_args)
    if args.backend == 'postgresql':
        ensure_postgresql()
        drop_stale_templates(digest)
        cache = 'postgresql://'
        database = f'mlm_test_{os.getpid()}'
        env['TRYTOND_DATABASE_URI'] = 'postgresql:///'
        # The demo and its browser tests run on SQLite: once is enough.
        pytest_args = ['-m', 'not demo'] + pytest_args
    else:
        cache = str(use_test_cache(f'sqlite-{digest}', digest))
        database = ':memory:'
        env['TRYTOND_DATABASE_URI'] = 'sqlite://'
        # Tryton's cache sync, at the start of a transaction once every
        # [cache] clean_timeout seconds, takes the in-memory database's
        # only connection in autocommit mode: that test's rollback would
        # undo nothing and its records would leak into the next test.  The
        # one test process has no other process to sync with.
        env['TRYTOND_CACHE__CLEAN_TIMEOUT'] = str(NEVER)
        ensure_chromium()
    env.update({
            'DB_NAME': database,
            'DB_CACHE': cache,
            'MLM_TEST_BACKEND': args.backend,
            'MLM_TEST_OUTPUT': str(output),
            'PYTHONHASHSEED': '0',
            })
    command = [sys.executable, '-m', 'pytest',
        f'--junitxml={output / "junit.xml"}'] + pytest_args
    print(f"Testing on {args.backend} (database cache {cache}, "
        f"sources {digest})", flush=True)
    try:
        status = subprocess.call(command, env=env, cwd=PROJECT_ROOT)
    except KeyboardInterrupt:
        status = 130
    if args.backend == 'postgresql':
        mark_templates(digest)
        drop_database(database)
    return status
