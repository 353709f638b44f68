"""The published JSON Schemas accept every demo file and reject what the loader rejects, checked
with an independent validator (`jsonschema`), as editors and CI tools will use them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from menteo.cli import main
from menteo.content.markdown_file import normalise, split
from menteo.content.safe_yaml import load_yaml
from menteo.content.schema import KINDS, json_schema

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {
    "mentor": "mentors",
    "mentee": "mentees",
    "roadmap": "roadmaps",
    "community": "communities",
}


def as_json(value: Any) -> Any:
    """What an editor's YAML plugin hands the validator: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def front_matter(path: Path) -> Any:
    text = normalise(path.read_bytes())
    if path.suffix == ".md":
        markdown = split(text)
        assert markdown is not None
        text = markdown.front_matter
    return as_json(load_yaml(text, str(path)).data)


def demo_files() -> list[tuple[str, Path]]:
    files = [("site", ROOT / "menteo.yml")]
    for kind, folder in FOLDERS.items():
        files += [(kind, p) for p in sorted((ROOT / "content" / folder).glob("*.*"))]
    files += [("badge", p) for p in sorted((ROOT / "badges").glob("*.yaml"))]
    for thread in sorted((ROOT / "content" / "threads").iterdir()):
        files.append(("thread", thread / "thread.yaml"))
        files += [("entry", p) for p in sorted(thread.glob("*.md"))]
    return files


def test_every_demo_file_matches_its_schema() -> None:
    validators = {kind: Draft202012Validator(json_schema(kind)) for kind in KINDS}
    for schema in validators.values():
        Draft202012Validator.check_schema(schema.schema)
    files = demo_files()
    assert len(files) > 150
    for kind, path in files:
        errors = [e.message for e in validators[kind].iter_errors(front_matter(path))]
        assert errors == [], path


@pytest.mark.parametrize(
    ("kind", "document", "message"),
    [
        ("mentor", {"name": "Ana", "pronoun": "she"}, "Additional properties"),
        ("mentor", {"name": "Ana", "links": {"github": "http://x.org"}}, "is not valid under any"),
        ("entry", {"kind": "chat", "date": "2025-01-01", "author": "a", "title": "t"}, "'chat'"),
        ("thread", {"mentor": "a", "mentee": "b"}, "'started' is a required property"),
        ("community", {"name": "C", "summary": "s", "body": "in front matter"}, "Additional"),
    ],
)
def test_schemas_reject_what_the_loader_rejects(
    kind: str, document: dict[str, Any], message: str
) -> None:
    errors = [e.message for e in Draft202012Validator(json_schema(kind)).iter_errors(document)]
    assert any(message in e for e in errors), errors


def test_cli_prints_one_schema_or_writes_all(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["schema", "thread"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "menteo thread"
    result = runner.invoke(main, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)
    assert runner.invoke(main, ["schema"]).exit_code == 2
