"""JSON Schemas of every content file, for editors (yaml-language-server) and CI checks.

They are generated from the same models the loader validates with, so they cannot drift from it.
They are a first line of defence, not the whole of it: cross-references, email addresses and
entry rules need the whole community and are only checked by `menteo check`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from menteo.content.models import (
    Badge,
    Community,
    Entry,
    Mentee,
    Mentor,
    Roadmap,
    SiteConfig,
    Thread,
)

KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "site": (SiteConfig, "menteo.yml"),
    "mentor": (Mentor, "content/mentors/<slug>.yaml, or the front matter of <slug>.md"),
    "mentee": (Mentee, "content/mentees/<slug>.yaml, or the front matter of <slug>.md"),
    "thread": (Thread, "content/threads/<thread>/thread.yaml"),
    "entry": (Entry, "the front matter of content/threads/<thread>/<YYYY-MM-DD>-<slug>.md"),
    "roadmap": (Roadmap, "content/roadmaps/<slug>.yaml"),
    "community": (Community, "the front matter of content/communities/<slug>.md"),
    "badge": (Badge, "badges/<slug>.yaml; see docs/badges.md"),
}
MARKDOWN_BODY = {"community": "body"}
"""Fields that come from the Markdown below the front matter, never from the front matter."""


def schema_path(kind: str) -> str:
    """Where a built site publishes the schema of `kind`, relative to its base URL."""
    return f"schemas/{kind}.schema.json"


def json_schema(kind: str, base_url: str | None = None) -> dict[str, Any]:
    """The schema of one kind of file. With the site's `base_url` it carries an `$id`, the
    address the site publishes it at; without one it has none, rather than an `$id` that
    names no real place."""
    model, where = KINDS[kind]
    schema = model.model_json_schema()
    body = MARKDOWN_BODY.get(kind)
    if body:
        del schema["properties"][body]
    located = {"$id": base_url + schema_path(kind)} if base_url else {}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **located,
        **schema,
        "title": f"menteo {kind}",
        "description": f"{where}. See docs/content-model.md.",
    }


def schema_text(kind: str, base_url: str | None = None) -> str:
    """The schema as `menteo schema` prints it and the site publishes it."""
    return json.dumps(json_schema(kind, base_url), indent=2, ensure_ascii=False) + "\n"


def published_schemas(base_url: str) -> dict[str, bytes]:
    """Every schema at its address on the built site, so that a modeline such as
    `# yaml-language-server: $schema=<base_url>schemas/mentor.schema.json` finds it."""
    return {schema_path(kind): schema_text(kind, base_url).encode("utf-8") for kind in KINDS}
