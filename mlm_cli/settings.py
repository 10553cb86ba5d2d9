# This file is part of the MLM suite. See LICENSE for details.
"""Read and check a trytond configuration before anything uses it.

Relative paths in the project's configuration files (``[database] path``,
``[web] root``) are relative to the project root. trytond resolves them
against its working directory (and SQLite URIs need absolute paths), so the
commands hand trytond a runtime copy with absolute paths under ``var/run``.
"""
import configparser
import errno
import hashlib
import os
import socket
from functools import cached_property
from pathlib import Path

from .errors import CliError
from .paths import PROJECT_ROOT, VAR

BACKENDS = {'sqlite', 'postgresql'}
DEFAULT_LISTEN = 'localhost:8000'


class Settings:
    "The checked content of one trytond configuration file."

    def __init__(self, path):
        self.path = Path(path).resolve()
        if not self.path.is_file():
            raise CliError(f"configuration file {path} not found")
        self.parser = configparser.RawConfigParser()
        try:
            self.parser.read(self.path, encoding='utf-8')
        except configparser.Error as exception:
            raise CliError(
                f"configuration file {path} is not valid: "
                f"{exception.message.splitlines()[0]}")
        scheme = self.database_uri.split(':', 1)[0]
        if scheme not in BACKENDS:
            raise CliError(
                f"unknown database backend {scheme!r} in {path} "
                f"[database] uri (expected one of: "
                f"{', '.join(sorted(BACKENDS))})")

    def get(self, section, option, default=None):
        return self.parser.get(section, option, fallback=default)

    @property
    def database_uri(self):
        return self.get('database', 'uri', 'sqlite://')

    @property
    def backend(self):
        return self.database_uri.split(':', 1)[0]

    @property
    def database_path(self):
        "Folder of the SQLite database files."
        return self._project_path(self.get('database', 'path', 'var'))

    @property
    def web_root(self):
        return self._project_path(self.get('web', 'root', 'var/sao/package'))

    @property
    def listen(self):
        return self.get('web', 'listen', DEFAULT_LISTEN)

    def host_port(self):
        host, _, port = self.listen.rpartition(':')
        try:
            return host.strip('[]') or 'localhost', int(port)
        except ValueError:
            raise CliError(
                f"[web] listen {self.listen!r} in {self.path} is not HOST:PORT")

    def _project_path(self, value):
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @cached_property
    def runtime_path(self):
        "The configuration with absolute paths, written once for trytond."
        runtime = configparser.RawConfigParser()
        runtime.read_dict(self.parser)
        runtime.set('database', 'path', str(self.database_path))
        runtime.set('web', 'root', str(self.web_root))
        # Named after the source file's location: two configurations with
        # the same file name never share a runtime copy.
        digest = hashlib.sha256(str(self.path).encode()).hexdigest()[:8]
        path = VAR / 'run' / f'{self.path.stem}-{digest}.conf'
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, 'w', encoding='utf-8') as file:
            runtime.write(file)
        return path

    def environment(self):
        "Environment for trytond processes."
        return dict(os.environ, TRYTOND_CONFIG=str(self.runtime_path))

    def apply(self):
        "Load this configuration into the running process's trytond."
        os.environ['TRYTOND_CONFIG'] = str(self.runtime_path)
        from trytond import config
        config.update_etc(os.environ['TRYTOND_CONFIG'])


def check_port_free(host, port):
    "Raise CliError when nothing can listen on host:port."
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CliError(f"cannot resolve listen host {host!r}")
    family, type_, proto, _, address = infos[0]
    with socket.socket(family, type_, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exception:
            if exception.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is already in use "
                    f"(stop the other server or change [web] listen)")
            raise CliError(f"cannot listen on {host}:{port}: {exception}")
