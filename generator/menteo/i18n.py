"""The site's language: the theme's message catalogs and locale-aware dates and numbers.

Every string the theme shows is an English msgid; a catalog shipped in `menteo/locales/<lang>/`
translates it. Catalogs are read from their `.po` source and compiled in memory, so the `.po`
file under review is exactly what the site shows (no stale binary `.mo` beside it). Only shipped
catalogs are used: a translation is trusted as markup in templates, so it cannot come from a
community's pull request.

Fallback is explicit: a regional language (`es-MX`) uses its base catalog (`es`); a language with
no catalog at all is shown in English, and the build says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations as NullTranslations  # re-exported: a catalog's type
from babel.support import Translations

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def parse_locale(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag (`pt-BR`); ValueError if Babel has no data for it."""
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(str(exc)) from None


def shipped_languages() -> list[str]:
    """Languages with a catalog, plus the source language the msgids are written in."""
    found = {p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted({SOURCE_LANGUAGE, *found})


def catalog_language(language: str) -> str | None:
    """The shipped catalog for `language` (itself or its base language); None if the site will
    be in English because there is none."""
    locale = parse_locale(language)
    for candidate in (str(locale), locale.language):
        if candidate in shipped_languages():
            return candidate
    return None


def translated(language: str) -> bool:
    """Whether a site in `language` shows anything but the English message ids."""
    return catalog_language(language) not in (None, SOURCE_LANGUAGE)


@functools.cache
def translations(language: str) -> NullTranslations:
    """The theme's translations into `language` (English msgids pass through unchanged)."""
    if not translated(language):
        return NullTranslations()
    # Babel's catalog tools (~10 ms with the email package) only for a site not in English.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    found = catalog_language(language)
    path = LOCALES / f"{found}" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=found, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass(frozen=True)
class Formats:
    """Dates, numbers and language names as readers of `language` write them."""

    language: str

    @functools.cached_property
    def locale(self) -> Locale:
        return parse_locale(self.language)

    def date(self, day: dt.date | str, width: str = "medium") -> str:
        """A date, or the date part of an ISO timestamp (ledger times are stored as text)."""
        if isinstance(day, str):
            day = dt.date.fromisoformat(day[:10])
        return format_date(day, width, locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def decimal(self, value: float, pattern: str) -> str:
        """`value` with a fixed number of decimals (`pattern` "0.0"), in the locale's digits."""
        return format_decimal(value, pattern, locale=self.locale)

    def percent(self, share: float) -> str:
        return format_percent(share, locale=self.locale)

    def language_name(self, code: str) -> str:
        """`yo` → "Yoruba" (in English), "yoruba" (in Spanish); the code if Babel has no name."""
        try:
            name = parse_locale(code).get_display_name(self.locale)
        except ValueError:
            return code
        return name or code


def N_(message: str) -> str:
    """Marks a msgid for extraction (`N_` is the name extractors look for) where it is stored as
    data and translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted noun's two message ids for extraction as one plural message (pybabel's
    `-k Nn_:1,2`), stored as data and looked up with `ngettext` once the count is known: a
    catalog then gives every plural form its language has."""
    return singular, plural


COMMAND_LINE = NullTranslations()
"""The words of the command line, its reports and the credentials' evidence: English, the
language reviewers and verifiers share. They go through gettext's plural rules like the site's,
so another language needs a catalog here, not code."""


def plural(count: int, singular: str, plural: str) -> str:
    """The form of a noun (or verb) that `count` takes in the command line's language."""
    return COMMAND_LINE.ngettext(singular, plural, count)
