# This file is part of the MLM suite. See LICENSE for details.
"""Every user-facing string of the MLM modules has its German translation.

One test class per module, each on a database with only that module
activated: the same module list as the module's own tests, so the test
databases are restored from their cached templates instead of activating
all modules together once more."""
from importlib.metadata import entry_points
from pathlib import Path

import polib

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.tools import find_path

from mlm_network.tests.tools import DatabaseTestCase

MODULES = sorted(
    entry.name for entry in entry_points(group='trytond.modules')
    if entry.name.startswith('mlm_') and entry.name != 'mlm_demo')


class GermanTranslationMixin:
    "modules: the one module whose strings are checked"

    @with_transaction()
    def test_every_string_has_a_german_translation(self):
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).transition_set_()

        module, = self.modules
        source = polib.pofile(
            Translation.translation_export('en', module).decode('utf-8'))
        german_po = Path(find_path(module, _test=None)) / 'locale' / 'de.po'
        german = {
            (entry.msgctxt, entry.msgid): entry.msgstr
            for entry in polib.pofile(str(german_po))}
        missing = [
            f"{module}: {entry.msgctxt} {entry.msgid!r}"
            for entry in source
            if not german.get((entry.msgctxt, entry.msgid))]
        self.assertEqual(missing, [])


for _module in MODULES:
    _name = ''.join(p.title() for p in _module.split('_')) + 'GermanTestCase'
    globals()[_name] = type(_name,
        (GermanTranslationMixin, DatabaseTestCase), {'modules': [_module]})
