"""French is the interface's first language: its catalogue is complete and compiled."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"
FRENCH = LOCALE / "fr" / "LC_MESSAGES"


def live_entries(catalogue):
    return [entry for entry in catalogue if not entry.obsolete]


def test_every_french_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(FRENCH / "django.po"))
    assert len(live_entries(catalogue)) > 300
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_the_compiled_french_catalogue_matches_its_source():
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in live_entries(polib.pofile(str(FRENCH / "django.po")))
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(FRENCH / "django.mo")) if e.msgid
    }
    assert compiled == source


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
@pytest.mark.parametrize("english", ["Sign out", "People", "Membership agreements", "Purchasing officer"])
def test_key_interface_words_are_translated_in_french_dutch_and_german(language, english):
    with translation.override(language):
        assert translation.gettext(english) != english
