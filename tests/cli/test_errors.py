# This file is part of the MLM suite. See LICENSE for details.
"Bad configuration ends with one clear error line, never a traceback."
import socket
import subprocess
import sys

import pytest


def mlm(*args, cwd=None):
    return subprocess.run([sys.executable, '-m', 'mlm_cli', *args],
        capture_output=True, text=True, cwd=cwd, timeout=60)


def assert_one_line_error(result, expected):
    assert result.returncode == 2, result.stderr
    assert result.stdout == ''
    assert result.stderr.splitlines() == [f"mlm: error: {expected}"]


@pytest.fixture
def config_file(tmp_path):
    def write(text):
        path = tmp_path / 'trytond.conf'
        path.write_text(text)
        return path
    return write


def test_missing_config_file(tmp_path):
    missing = tmp_path / 'nowhere.conf'
    result = mlm('serve', '-c', str(missing))
    assert_one_line_error(
        result, f"configuration file {missing} not found")


def test_unknown_database_backend(config_file):
    path = config_file("[database]\nuri = mysql://localhost/\n")
    result = mlm('serve', '-c', str(path))
    assert_one_line_error(result,
        f"unknown database backend 'mysql' in {path} [database] uri "
        "(expected one of: postgresql, sqlite)")


def test_unreadable_config_file(config_file):
    path = config_file("database]\nuri = sqlite://\n")
    result = mlm('serve', '-c', str(path))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        f"mlm: error: configuration file {path} is not valid: ")


def test_port_in_use(config_file, tmp_path):
    (tmp_path / 'www').mkdir()
    (tmp_path / 'www' / 'index.html').write_text('<html></html>')
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        path = config_file(
            "[database]\nuri = sqlite://\n"
            f"[web]\nlisten = 127.0.0.1:{port}\nroot = {tmp_path / 'www'}\n")
        result = mlm('serve', '-c', str(path))
    assert_one_line_error(result,
        f"port {port} on 127.0.0.1 is already in use "
        "(stop the other server or change [web] listen)")


def test_listen_not_host_port(config_file, tmp_path):
    (tmp_path / 'index.html').write_text('<html></html>')
    path = config_file(
        f"[web]\nlisten = localhost\nroot = {tmp_path}\n")
    result = mlm('serve', '-c', str(path))
    assert_one_line_error(result,
        f"[web] listen 'localhost' in {path} is not HOST:PORT")


def test_missing_web_client(config_file, tmp_path):
    path = config_file(f"[web]\nroot = {tmp_path / 'sao'}\n")
    result = mlm('serve', '-c', str(path))
    assert_one_line_error(result,
        f"web client not found in {tmp_path / 'sao'} "
        "(run `make sao` to install tryton-sao)")


def test_demo_refuses_postgresql(config_file):
    path = config_file("[database]\nuri = postgresql:///\n")
    result = mlm('demo', '--no-serve', '-c', str(path))
    assert_one_line_error(result,
        f"the demo runs on SQLite, but {path} uses 'postgresql' "
        "(use config/demo.conf)")
