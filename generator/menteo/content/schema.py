"""JSON Schemas of every content file, for editors (yaml-language-server) and CI checks.

They are generated from the same models the loader validates with, so they cannot drift from it.
They are a first line of defence, not the whole of it: cross-references, email addresses and
entry rules need the whole community and are only checked by `menteo check`.
"""

from __future__ import annotations

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


def json_schema(kind: str) -> dict[str, Any]:
    model, where = KINDS[kind]
    schema = model.model_json_schema()
    body = MARKDOWN_BODY.get(kind)
    if body:
        del schema["properties"][body]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": f"menteo {kind}",
        "description": f"{where}. See docs/content-model.md.",
    }
