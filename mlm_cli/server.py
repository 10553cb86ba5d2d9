# This file is part of the MLM suite. See LICENSE for details.
"`mlm serve` and `mlm demo`: start trytond with the sao web client."
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import CliError
from .paths import PROJECT_ROOT
from .settings import Settings, check_port_free

DEMO_DATABASE = 'mlm_demo'
DEMO_SIZE = 2000


def venv_script(name):
    "A console script installed next to the running interpreter."
    return str(Path(sys.executable).parent / name)


def check_web_client(settings):
    if not (settings.web_root / 'index.html').is_file():
        raise CliError(
            f"web client not found in {settings.web_root} "
            f"(run `make sao` to install tryton-sao)")


def check_can_serve(settings):
    check_web_client(settings)
    check_port_free(*settings.host_port())


def exec_server(settings, databases):
    """Replace this process by trytond serving the configuration.

    The databases are loaded at start-up: trytond 8.0.12 fails the first
    login on a database whose pool is initialised lazily (KeyError
    'res.user'), and preloading also makes the first request fast."""
    host, port = settings.host_port()
    print(f"Serving {', '.join(databases)} on http://{host}:{port}/ "
        "(Ctrl+C to stop)", flush=True)
    os.chdir(PROJECT_ROOT)
    trytond = venv_script('trytond')
    os.execve(trytond,
        [trytond, '-c', str(settings.runtime_path), '-d', *databases],
        settings.environment())


def databases_to_serve(settings, requested):
    if requested:
        return requested
    if settings.backend == 'sqlite':
        found = sorted(p.stem for p in settings.database_path.glob('*.sqlite')
            if not p.stem.endswith('_building'))
        if found:
            return found
        raise CliError(f"no SQLite database in {settings.database_path} "
            "(create one with `mlm demo --no-serve`)")
    raise CliError("name the database(s) to serve with -d DATABASE")


def serve(args):
    settings = Settings(args.config)
    check_can_serve(settings)
    exec_server(settings, databases_to_serve(settings, args.database))


def demo(args):
    settings = Settings(args.config)
    if settings.backend != 'sqlite':
        raise CliError(
            f"the demo runs on SQLite, but {args.config} uses "
            f"{settings.backend!r} (use config/demo.conf)")
    if not args.no_serve:
        check_can_serve(settings)
    database_file = settings.database_path / f'{args.database}.sqlite'
    if args.reset or not database_file.exists():
        build_demo(settings, args.database, args.size)
    else:
        print(f"Using existing demo database {database_file} "
            f"(--reset rebuilds it)")
    print_logins(settings, args.database)
    if not args.no_serve:
        exec_server(settings, [args.database])
    return 0


def build_demo(settings, database, size):
    """Create the demo database under a temporary name, then rename it.

    A failed build leaves no half-made demo behind."""
    from mlm_demo.users import ADMIN_PASSWORD
    folder = settings.database_path
    folder.mkdir(parents=True, exist_ok=True)
    building = f'{database}_building'
    building_file = folder / f'{building}.sqlite'
    # trytond keeps a database's files (attachments) in <path>/<database>/
    building_files = folder / building
    remove_database(folder, building)
    building_file.touch()
    log_path = folder / 'demo-build.log'
    password_file = folder / '.admin-password'
    password_file.write_text(ADMIN_PASSWORD)
    env = dict(settings.environment(), TRYTONPASSFILE=str(password_file))
    steps = [
        ("Activating modules (German and English)", [
                venv_script('trytond-admin'), '-c', str(settings.runtime_path),
                '-d', building, '-u', 'mlm_demo', '--activate-dependencies',
                '-l', 'de', '--email', 'admin@demo.invalid']),
        (f"Generating demo data (size {size})", [
                sys.executable, '-m', 'mlm_demo.generate',
                '--config', str(settings.runtime_path), '--database', building,
                '--size', str(size)]),
        ]
    try:
        with open(log_path, 'w') as log:
            for number, (title, command) in enumerate(steps, 1):
                print(f"[{number}/{len(steps)}] {title} ...", flush=True)
                result = subprocess.run(command, cwd=PROJECT_ROOT, env=env,
                    stdout=log, stderr=subprocess.STDOUT)
                if result.returncode:
                    remove_database(folder, building)
                    raise CliError(
                        f"demo build failed at step {number} ({title}); "
                        f"see {log_path}: {last_line(log_path)}")
    finally:
        password_file.unlink(missing_ok=True)
    remove_database(folder, database)
    if building_files.exists():
        shutil.move(building_files, folder / database)
    shutil.move(building_file, folder / f'{database}.sqlite')


def remove_database(folder, database):
    "Remove a SQLite database file and its filestore folder."
    (folder / f'{database}.sqlite').unlink(missing_ok=True)
    shutil.rmtree(folder / database, ignore_errors=True)


def last_line(path):
    lines = [line for line in Path(path).read_text().splitlines() if line]
    return lines[-1] if lines else '(no output)'


def print_logins(settings, database):
    from mlm_demo.portal import PORTAL_LOGINS
    from mlm_demo.users import ADMIN_PASSWORD, DEMO_USERS
    host, port = settings.host_port()
    print(f"\nBackend (sao):  http://{host}:{port}/   database: {database}")
    print(f"  admin / {ADMIN_PASSWORD}  (Administrator)")
    for user in DEMO_USERS:
        print(f"  {user.login} / {user.password}  ({user.group_name})")
    print(f"Partner portal: http://{host}:{port}/{database}/portal/")
    for email, password, description in PORTAL_LOGINS:
        print(f"  {email} / {password}  ({description})")
    print()
