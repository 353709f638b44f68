"""The theme speaks the site's language: catalogs in step with the code, a complete Spanish
translation, locale dates and numbers, explicit fallbacks, and translations that stay escaped."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner

from factory import MENTOR, make_community
from menteo.build import build_site
from menteo.cli import main
from menteo.i18n import LOCALES, Formats, catalog_language, shipped_languages
from menteo.site.render import make_environment

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini"
GOLDEN = Path(__file__).parent / "golden" / "mini-es"
UPDATE = os.environ.get("MENTEO_UPDATE_GOLDEN") == "1"
TEMPLATE = LOCALES / "messages.pot"
EXTRACT = (
    "pybabel extract -F babel.cfg -k Nn_:1,2 --no-location --sort-output -c TRANSLATORS: "
    "-o generator/menteo/locales/messages.pot . && pybabel update --no-fuzzy-matching "
    "-i generator/menteo/locales/messages.pot -d generator/menteo/locales"
)
KEYWORDS = {"Nn_": (1, 2)}
"""Beyond Babel's defaults: `menteo.i18n.Nn_` marks a counted noun's singular and plural."""
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|</?\w+>")
GOLDEN_PAGES = {
    "home": "index.html",
    "directory": "mentors/index.html",
    "mentor": "mentors/ana-lukasiewicz/index.html",
    "thread": "threads/ana-lukasiewicz--jonas-berg/index.html",
    "entry": "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html",
    "roadmap": "roadmaps/sre/index.html",
    "badge": "badges/guide/index.html",
    "award-revoked": "awards/16b59542-1e5e-58c8-b3db-7cf00bf630b7/index.html",
    "dashboard": "dashboard/index.html",
    "ledger": "ledger/index.html",
    "awards-feed": "awards/feed.xml",
}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _extracted() -> set[str]:
    """Every msgid in the code, found the way `pybabel extract -F babel.cfg` finds them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    return {_key(message) for _file, _line, message, _comments, _context in found}


def test_template_lists_exactly_the_strings_in_the_code() -> None:
    listed = {_key(m.id) for m in _read(TEMPLATE) if m.id}
    code = _extracted()
    assert code - listed == set(), f"new strings: run {EXTRACT}, then translate them"
    assert listed - code == set(), f"strings no longer used: run {EXTRACT}"


@pytest.mark.parametrize("language", [lang for lang in shipped_languages() if lang != "en"])
def test_catalog_translates_every_string_with_the_same_placeholders(language: str) -> None:
    catalog = _read(LOCALES / language / "LC_MESSAGES" / "messages.po", language)
    template = {_key(m.id): m for m in _read(TEMPLATE) if m.id}
    translated = {_key(m.id): m for m in catalog if m.id}
    assert set(translated) == set(template), f"run {EXTRACT}"
    assert not catalog.obsolete
    for key, message in translated.items():
        assert not message.fuzzy, key
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"untranslated: {key!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == expected, (key, form)
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_regional_languages_use_their_base_catalog() -> None:
    assert catalog_language("es") == "es"
    assert catalog_language("es-MX") == "es"
    assert catalog_language("en-GB") == "en"
    assert catalog_language("fr") is None


def test_dates_numbers_and_language_names_follow_the_locale() -> None:
    day = dt.date(2025, 3, 4)
    assert Formats("en").date(day) == "Mar 4, 2025"
    assert Formats("en-GB").date(day) == "4 Mar 2025"
    assert Formats("es").date(day) == "4 mar 2025"
    assert Formats("es").date("2025-03-04T10:00:00Z") == "4 mar 2025"
    assert Formats("en").number(12345) == "12,345"
    assert Formats("de").number(12345) == "12.345"
    assert Formats("es").language_name("yo") == "yoruba"
    assert Formats("en").language_name("yo") == "Yoruba"
    assert Formats("es").language_name("not-a-language") == "not-a-language"


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini-es") / "community"
    shutil.copytree(MINI, root)
    config = root / "menteo.yml"
    config.write_text(
        re.sub(r"(?m)^language: .*\n", "", config.read_text(encoding="utf-8")) + "language: es\n",
        encoding="utf-8",
    )
    out = root / "_site"
    build_site(root, out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOLDEN_PAGES))
def test_spanish_golden_pages(spanish_site: Path, name: str) -> None:
    """Whole pages in Spanish; regenerate with MENTEO_UPDATE_GOLDEN=1 and read the diff."""
    rel = GOLDEN_PAGES[name]
    actual = (spanish_site / rel).read_text(encoding="utf-8")
    golden = GOLDEN / rel.replace("/", "__")
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.slow
def test_no_theme_string_is_left_in_english(spanish_site: Path) -> None:
    """Every page's visible words: no English msgid of the theme shows up where Spanish should."""
    english = {"Skip to content", "Mentorships", "Find a mentor", "Recognition wall", "Holders"}
    english |= {"Why it was awarded", "Program dashboard", "Award ledger", "Timeline", "Goals"}
    for page in spanish_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<html lang="es">' in text, page
        for phrase in english:
            assert f">{phrase}<" not in text, (page, phrase)


def test_translations_keep_content_escaped(tmp_path: Path) -> None:
    """Names inside translated sentences are data: escaped, never markup."""
    name = "Ana <img src=x onerror=alert(1)>"
    root = make_community(tmp_path)
    config = root / "menteo.yml"
    config.write_text(config.read_text(encoding="utf-8") + "language: es\n", encoding="utf-8")
    mentor = root / MENTOR
    mentor.write_text(
        mentor.read_text(encoding="utf-8").replace("name: Ana Lima", f"name: {name}"),
        encoding="utf-8",
    )
    build_site(root, root / "_site")
    for page in (root / "_site").rglob("*.html"):
        assert "<img src=x" not in page.read_text(encoding="utf-8"), page
    thread = (root / "_site" / "threads" / "index.html").read_text(encoding="utf-8")
    assert "Ana &lt;img src=x onerror=alert(1)&gt;" in thread


def test_language_without_a_catalog_is_english_with_a_warning(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    config = root / "menteo.yml"
    config.write_text(config.read_text(encoding="utf-8") + "language: fr\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert "menteo.yml: language: menteo has no 'fr' translation of its theme" in result.output
    home = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home and "Skip to content" in home
    assert "janv. 2025" in (root / "_site" / "threads" / "index.html").read_text(encoding="utf-8")


def test_unknown_language_is_a_content_error(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    config = root / "menteo.yml"
    config.write_text(config.read_text(encoding="utf-8") + "language: qq\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert (
        "menteo.yml:6: language: 'qq' is not a language tag menteo has locale data for "
        "(write a BCP 47 tag such as en, es or pt-BR)"
    ) in result.output


def test_template_gettext_marks_messages_safe_and_escapes_variables() -> None:
    """Newstyle semantics: a message is markup (a translation may hold tags), a variable is data;
    without autoescaping (Markdown output) neither is touched. `%%` is a literal percent sign."""
    env = make_environment([], "/", "es")
    html = env.from_string(
        "{{ _('Skip to content') }}|{{ _('%(name)s earned %(badge)s', name='<i>Ana</i>', "
        "badge='B') }}|{{ ngettext('%(num)s entry', '%(num)s entries', 3) }}|{{ _('100%%') }}"
    )
    assert html.render() == "Saltar al contenido|&lt;i&gt;Ana&lt;/i&gt; earned B|3 entradas|100%"
    env.autoescape = False
    text = env.from_string("{{ _('%(name)s earned %(badge)s', name='<i>Ana</i>', badge='B') }}")
    assert text.render() == "<i>Ana</i> earned B"
