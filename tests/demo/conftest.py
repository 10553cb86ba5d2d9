# This file is part of the MLM suite. See LICENSE for details.
"""The demo database, a demo server and a headless Chromium.

The demo database is built once per source hash through the real `mlm demo`
command and served by the real `mlm serve` on a free loopback port. Every
test in this folder is marked `demo`: the demo runs on SQLite, so the
PostgreSQL pass of `mlm test` deselects them.
"""
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlm_cli.paths import SAO_DIR, TEST_OUTPUT
from mlm_cli.testing import CHROMIUM, source_hash, use_test_cache

DATABASE = 'mlm_demo'
DEMO_SIZE = 200
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(__file__).parent in Path(item.fspath).parents:
            item.add_marker(pytest.mark.demo)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def mlm(*args):
    return [sys.executable, '-m', 'mlm_cli', *args]


@dataclass
class Demo:
    config: Path
    port: int

    @property
    def folder(self):
        return self.config.parent

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/'


@pytest.fixture(scope='session')
def demo(tmp_path_factory):
    """A fresh copy of the demo database with its own configuration.

    The demo is built once per source hash and copied from the cache."""
    folder = tmp_path_factory.mktemp('demo')
    demo = Demo(folder / 'demo.conf', free_port())
    demo.config.write_text(
        f"[database]\nuri = sqlite://\npath = {folder}\n"
        f"[web]\nlisten = 127.0.0.1:{demo.port}\nroot = {SAO_DIR}\n")
    digest = source_hash()
    cached = use_test_cache(f'demo-{digest}-{DEMO_SIZE}', digest)
    if not (cached / f'{DATABASE}.sqlite').exists():
        subprocess.run(mlm('demo', '--no-serve', '--reset', '--size',
                str(DEMO_SIZE), '-c', str(demo.config)),
            check=True, timeout=1800)
        shutil.rmtree(cached, ignore_errors=True)
        copy_database(folder, cached)
    copy_database(cached, folder)
    return demo


def copy_database(source, target):
    "Copy the demo's SQLite file and its filestore (attachments) folder."
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / f'{DATABASE}.sqlite', target / f'{DATABASE}.sqlite')
    if (source / DATABASE).is_dir():
        shutil.copytree(source / DATABASE, target / DATABASE,
            dirs_exist_ok=True)


@pytest.fixture(scope='session')
def demo_server(demo):
    "URL of the demo served by `mlm serve`."
    with open(demo.folder / 'server.log', 'w') as log:
        server = subprocess.Popen(mlm('serve', '-c', str(demo.config)),
            stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(demo.url, server)
            yield demo.url
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_serving(url, server, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope='session')
def screenshots():
    folder = TEST_OUTPUT / 'browser'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope='session')
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright
    profile = tmp_path_factory.mktemp('chromium-profile')
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={'width': 1400, 'height': 900},
            locale='de-DE')
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()
