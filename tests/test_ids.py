"""Ids that resolve to what importers expect (issue 12, item 6): an OB 3.0 `achievement.id` is
the URL of a JSON file the build publishes holding that very Achievement, `criteria.id` stays the
badge's human page (the spec: "the URI of a webpage that describes in a human-readable format
the criteria"), and the OB 2.0 BadgeClass id is a JSON file too. The badge page links both JSON
forms, and `menteo verify` fails a site whose published Achievement differs from the signed one.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from menteo.build import build_site
from menteo.cli import main
from menteo.credentials import ob3
from menteo.credentials.issue import dumps

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = "https://example.org/mini/"
SCHEMA = Path(__file__).parent / "interop/schemas/ob_v3p0_achievementcredential.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ids")
    root = folder / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    build_site(root, folder / "_site", workers=1)
    return folder / "_site"


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A copy of the built site that a test may change."""
    return Path(shutil.copytree(built, tmp_path / "site"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def on_site(site: Path, url: str) -> Path:
    """The file a static host serves for `url` (a folder URL serves its index.html)."""
    assert url.startswith(BASE), url
    path = site / url[len(BASE) :]
    return path / "index.html" if url.endswith("/") else path


def credentials(site: Path) -> list[dict[str, Any]]:
    found = [read_json(p) for p in sorted((site / "ob3/credentials").glob("*.json"))]
    assert found
    return found


def verify(site: Path) -> Result:
    return CliRunner().invoke(main, ["verify", str(site)])


def test_every_achievement_id_is_a_published_json_copy_of_the_embedded_achievement(
    built: Path,
) -> None:
    for credential in credentials(built):
        achievement = credential["credentialSubject"]["achievement"]
        slug = achievement["criteria"]["id"].rstrip("/").rsplit("/", 1)[-1]
        assert achievement["id"] == f"{BASE}ob3/achievements/{slug}.json"
        published = read_json(on_site(built, achievement["id"]))
        assert published == {"@context": ob3.CONTEXT, **achievement}


def test_criteria_id_stays_the_human_badge_page(built: Path) -> None:
    for credential in credentials(built):
        criteria = credential["credentialSubject"]["achievement"]["criteria"]
        page = on_site(built, criteria["id"]).read_text(encoding="utf-8")
        assert page.startswith("<!doctype html>")
        assert criteria["narrative"]


def test_every_badge_has_an_achievement_valid_against_the_ob3_schema(built: Path) -> None:
    schema = read_json(SCHEMA)
    validator = jsonschema.Draft201909Validator(
        {"$ref": "#/$defs/Achievement", "$defs": schema["$defs"]},
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    )
    badges = sorted(p.stem for p in (built / "ob2/badges").glob("*.json"))
    assert badges == sorted(p.stem for p in (built / "ob3/achievements").glob("*.json"))
    for slug in badges:
        achievement = read_json(built / f"ob3/achievements/{slug}.json")
        assert achievement["id"] == f"{BASE}ob3/achievements/{slug}.json"
        assert list(validator.iter_errors(achievement)) == []


def test_ob2_badge_class_ids_resolve_to_json(built: Path) -> None:
    for path in sorted((built / "ob2/assertions").glob("*.jws")):
        payload = path.read_text(encoding="utf-8").split(".")[1]
        assertion = json.loads(_b64url(payload))
        badge_class = read_json(on_site(built, assertion["badge"]))
        assert badge_class["id"] == assertion["badge"]
        assert badge_class["type"] == "BadgeClass"


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_badge_pages_link_their_json_forms(built: Path) -> None:
    slugs = sorted(p.stem for p in (built / "ob2/badges").glob("*.json"))
    assert slugs
    for slug in slugs:
        page = (built / f"badges/{slug}/index.html").read_text(encoding="utf-8")
        links = re.findall(
            r'<link rel="alternate" type="application/ld\+json" href="([^"]+)">', page
        )
        assert links == [f"/mini/ob3/achievements/{slug}.json", f"/mini/ob2/badges/{slug}.json"]
        for href in links:
            assert (built / href.removeprefix("/mini/")).is_file()


def test_verify_fails_a_published_achievement_that_differs_from_the_signed_one(
    site: Path,
) -> None:
    path = on_site(site, credentials(site)[0]["credentialSubject"]["achievement"]["id"])
    achievement = read_json(path)
    achievement["name"] += "!"
    path.write_bytes(dumps(achievement))
    holders = [
        c["id"].rsplit(":", 1)[-1]
        for c in credentials(site)
        if c["credentialSubject"]["achievement"]["id"] == achievement["id"]
    ]
    assert holders
    result = verify(site)
    assert result.exit_code == 1, result.output
    for uuid in holders:
        assert (
            f"failed   ob3/credentials/{uuid}.json: ob3: {achievement['id']} differs from the "
            "credential's achievement" in result.stdout
        ), result.stdout


def test_verify_fails_a_missing_achievement(site: Path) -> None:
    path = on_site(site, credentials(site)[0]["credentialSubject"]["achievement"]["id"])
    path.unlink()
    result = verify(site)
    assert result.exit_code == 1, result.output
    assert f"{BASE}ob3/achievements/{path.name} is not in the site" in result.stdout
