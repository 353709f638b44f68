"""The files of a new community, kept as plain files in `site/` so they can be read, diffed and
checked like any community; `menteo new site` copies them with a few values filled in.

The sample values below are what the plain files say; each is replaced where it stands, so the
files stay valid YAML and a working community before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

SAMPLE_NAME = "Example Mentoring Circle"
SAMPLE_BASE_URL = "https://example-org.github.io/mentoring-circle/"
SAMPLE_REPO = "example-org/mentoring-circle"
ACTION_REPO = "OWNER/menteo"
"""Where menteo's action.yml lives; a placeholder until a community names the repository it
trusts to run in the job that holds its signing keys."""
ACTION_REF = "REF"
MAINTAINERS = "@OWNER/maintainers"
ESSENTIAL = (
    ".gitignore",
    ".pre-commit-config.yaml",
    ".github/workflows/pr.yml",
    ".github/workflows/deploy.yml",
    "CODEOWNERS",
    "menteo.yml",
)
"""Files a package build that skips dot-folders would drop; without them a community would
have no workflows and would commit its keys' folder, so `new site` stops instead."""


class IncompleteScaffold(Exception):
    """This installation of menteo lacks some of the scaffold's files."""


@dataclass(frozen=True)
class SiteValues:
    """What `menteo new site` fills in: all already validated."""

    name: str
    base_url: str
    repo: str | None
    action_repo: str
    action_ref: str


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar: JSON's string syntax is a subset of it, so a ` #` or `: `
    in a name cannot cut or restructure the line."""
    return json.dumps(value, ensure_ascii=False)


def _replacements(values: SiteValues) -> list[tuple[str, str]]:
    """(sample, value) pairs in the order they apply: the longest sample first."""
    action = f"{values.action_repo}@{values.action_ref}"
    pairs = [
        (f"name: {SAMPLE_NAME}", f"name: {_yaml_string(values.name)}"),
        (f"# {SAMPLE_NAME}", f"# {values.name}"),
        (SAMPLE_BASE_URL, values.base_url),
        (f"{ACTION_REPO}@{ACTION_REF}", action),
        (f"rev: {ACTION_REF}", f"rev: {values.action_ref}"),
        (f"github.com/{ACTION_REPO}", f"github.com/{values.action_repo}"),
    ]
    if values.repo is not None:
        owner = values.repo.split("/")[0]
        pairs += [(SAMPLE_REPO, values.repo), (MAINTAINERS, f"@{owner}/maintainers")]
    return pairs


def _walk(folder: Traversable, prefix: str = "") -> dict[str, str]:
    files: dict[str, str] = {}
    for item in folder.iterdir():
        rel = f"{prefix}{item.name}"
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            files.update(_walk(item, rel + "/"))
        else:
            files[rel] = item.read_text(encoding="utf-8")
    return files


def site_files(values: SiteValues) -> dict[str, str]:
    """Every file of a new community (relative path → text), in path order."""
    files = _walk(resources.files(__package__) / "site")
    missing = [rel for rel in ESSENTIAL if rel not in files]
    if missing:
        raise IncompleteScaffold(", ".join(missing))
    pairs = _replacements(values)
    filled = {}
    for rel in sorted(files):
        text = files[rel]
        for sample, value in pairs:
            text = text.replace(sample, value)
        filled[rel] = text
    return filled


def write_new(root: Path, files: dict[str, str]) -> list[Path]:
    """Create each file under `root`; an existing file is never replaced (FileExistsError),
    and a linked folder on the way is not followed (a checked-out pull request may hold one
    that points anywhere on the machine; the loader would refuse it anyway)."""
    written = []
    for rel, text in files.items():
        path = root / rel
        for folder in reversed(Path(rel).parents[:-1]):
            if (root / folder).is_symlink():
                raise FileExistsError(f"{folder.as_posix()} is a symbolic link")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="") as handle:
            handle.write(text)
        written.append(path)
    return written
