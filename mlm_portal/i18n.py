# This file is part of the MLM suite. See LICENSE for details.
"""Translation of the portal's page texts.

The texts of the templates are English; their German translation is in
``po/de.po`` (msgid = English text); ``texts()`` lists the texts to
translate.  Error messages are ir.message
records and are translated by Tryton."""
import re
from functools import lru_cache
from pathlib import Path

LANGUAGES = ('de', 'en')
DEFAULT = 'de'
CATALOGUES = Path(__file__).parent / 'po'


@lru_cache(maxsize=None)
def catalogue(lang):
    import polib
    path = CATALOGUES / ('%s.po' % lang)
    if not path.exists():
        return {}
    return {e.msgid: e.msgstr for e in polib.pofile(str(path))
        if e.msgstr and not e.obsolete}


def translate(lang, text, **kwargs):
    text = catalogue(lang).get(text, text)
    if kwargs:
        text = text % kwargs
    return text


HERE = Path(__file__).parent
PATTERN = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')


def texts():
    found = set()
    files = list((HERE / 'templates').rglob('*.html')) + list(
        (HERE / 'templates').rglob('*.txt')) + [
        HERE / 'routes.py', HERE / 'web.py']
    for path in files:
        source = path.read_text()
        # join implicitly concatenated Python strings
        source = re.sub(r'"\s*\n\s*"', '', source)
        for double, single in PATTERN.findall(source):
            found.add((double or single).replace('\\"', '"'))
    return sorted(found)

