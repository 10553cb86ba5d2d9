# This file is part of the MLM suite. See LICENSE for details.
"Where the project keeps its files; every path is absolute."
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get('MLM_VAR', PROJECT_ROOT / 'var'))
SAO_DIR = VAR / 'sao' / 'package'
DEMO_CONFIG = PROJECT_ROOT / 'config' / 'demo.conf'
# test databases built once per source hash and shared by every checkout of
# this machine, as the PostgreSQL templates are (ADR 0002)
TEST_CACHE = Path(os.environ.get(
        'MLM_TEST_CACHE', Path.home() / '.cache' / 'mlm-suite' / 'test-cache'))
TEST_OUTPUT = Path(os.environ.get('MLM_TEST_OUTPUT', PROJECT_ROOT / 'test-output'))
