# This file is part of the MLM suite. See LICENSE for details.
"`mlm admin`: trytond-admin with the project configuration."
import os

from .paths import PROJECT_ROOT
from .server import venv_script
from .settings import Settings


def admin(args):
    settings = Settings(args.config)
    command = [venv_script('trytond-admin'), '-c', str(settings.runtime_path)]
    command += [a for a in args.arguments if a != '--']
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, settings.environment())
