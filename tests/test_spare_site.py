"""The spare site (`menteo.site.previous_site`, `menteo.atomic_output`): the site a build replaces
is kept beside `--out` and the next build updates it in place, writing only what changed, then
exchanges it with `--out`.

Every test builds through the real CLI or `build_site`, into the same `--out` several times, and
compares the result with a cold build; the search index is Pagefind's stand-in from
test_incremental (which pages it is fed is the renderer's business, its bundles the search
tests').
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.test_incremental import (
    KICKOFF,
    MINI,
    PACKAGE_TEMPLATES,
    THREAD,
    cold_build,
    fake_index,
    tree,
)

from menteo import build as build_module
from menteo.atomic_output import finish_removals, spare_folder
from menteo.build import build_site
from menteo.cli import main
from menteo.site.previous_site import MANIFEST, read_manifest

ENTRY = "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html"
MENTOR = "mentors/ana-lukasiewicz/index.html"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))


def build(root: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    finish_removals()


def edit(root: Path, line: str = "One more line.") -> None:
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write(f"\n{line}\n")


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def witness(site: Path, into: Path) -> dict[str, bytes]:
    """A second name (hard link) for every file of `site`, and what each held: a build that wrote
    into a file it shares with the live site would show in the witness."""
    held = tree(site)
    for name in held:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        os.link(site / name, into / name)
    return held


def broken_template(root: Path) -> None:
    """A template override with a broken link: the build fails at its very end, after every
    file was written."""
    override = root / "overrides/templates/entry.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    text = (PACKAGE_TEMPLATES / "entry.html").read_text(encoding="utf-8")
    override.write_text(
        text.replace("{% block main %}", '{% block main %}<a href="/mini/x/">x</a>')
    )


@pytest.fixture(autouse=True)
def no_pagefind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "index_site", fake_index)


# ---------------------------------------------------------------- reuse


def test_three_builds_in_a_row_update_the_spare_in_place(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(root, out)
    first = out.stat().st_ino
    first_files = inodes(out)
    assert not spare_folder(out).exists()  # nothing was replaced
    edit(root, "Second build.")
    build(root, out)
    assert spare_folder(out).stat().st_ino == first  # the replaced site is kept, under our name
    assert read_manifest(spare_folder(out))
    second = out.stat().st_ino
    second_files = inodes(out)
    edit(root, "Third build.")
    build(root, out)
    assert out.stat().st_ino == first  # the spare, updated in place, is the site now
    assert spare_folder(out).stat().st_ino == second
    third_files = inodes(out)
    assert third_files[MENTOR] == first_files[MENTOR] == second_files[MENTOR]
    assert third_files[ENTRY] not in {first_files[ENTRY], second_files[ENTRY]}
    unchanged = [name for name in third_files if third_files[name] == first_files.get(name)]
    assert len(unchanged) > len(third_files) * 0.9
    edit(root, "Fourth build.")
    build(root, out)
    assert out.stat().st_ino == second
    assert tree(out) == cold_build(root, tmp_path / "cold")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "._site.menteo-spare",
        "_site",
        "cold",
        "mini",
    ]


def test_files_the_site_no_longer_has_disappear(root: Path, tmp_path: Path) -> None:
    """A page of an entry deleted since the spare was built, and a file someone put in the
    output folder by hand, are not in the next site."""
    extra = root / THREAD / "2025-06-01-extra.md"
    extra.write_text(
        "---\nkind: session\ndate: 2025-06-01\nauthor: ana-lukasiewicz\ntitle: Extra\n"
        "tags: [slo]\n---\nAn extra session.\n",
        encoding="utf-8",
    )
    out = tmp_path / "_site"
    build(root, out)
    page = out / "threads/ana-lukasiewicz--jonas-berg/2025-06-01-extra/index.html"
    assert page.is_file()
    (out / "CNAME").write_text("example.org\n")  # by hand, not in the manifest
    (out / "notes").mkdir()
    (out / "notes/todo.txt").write_text("x")
    build(root, out)  # `out`, with the extra entry, becomes the spare
    extra.unlink()
    build(root, out)  # into the spare, which has the extra page and the files put by hand
    assert not page.exists()
    assert not (out / "CNAME").exists() and not (out / "notes").exists()
    assert not (out / "threads/ana-lukasiewicz--jonas-berg/2025-06-01-extra").exists()
    assert tree(out) == cold_build(root, tmp_path / "cold")


# ---------------------------------------------------------------- failures


def test_a_failed_build_into_the_spare_leaves_out_intact_and_the_spare_untrusted(
    root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "_site"
    build(root, out)
    build(root, out)
    assert read_manifest(spare_folder(out))
    held = witness(out, tmp_path / "witness")
    before = inodes(out)
    edit(root)
    broken_template(root)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "/mini/x/" in result.output
    finish_removals()
    assert tree(out) == held and inodes(out) == before
    assert tree(tmp_path / "witness") == held  # no file shared with --out was written into
    assert not spare_folder(out).exists()  # filled halfway: removed, never trusted
    (root / "overrides/templates/entry.html").unlink()
    build(root, out)
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_an_interrupted_build_into_the_spare_leaves_out_intact(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the spare was opened and half filled."""
    from menteo.site import previous_site

    out = tmp_path / "_site"
    build(root, out)
    build(root, out)
    held, before = tree(out), inodes(out)
    edit(root)

    def interrupted(self: previous_site.SiteWriter) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(previous_site.SiteWriter, "finish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_site(root, out, workers=1)
    monkeypatch.undo()
    finish_removals()
    assert tree(out) == held and inodes(out) == before
    assert not spare_folder(out).exists()


KILLED = """
import os, sys
from menteo.site import previous_site
def killed(self):
    os.kill(os.getpid(), 9)
previous_site.SiteWriter.finish = killed
from menteo.cli import main
main(["build", sys.argv[1], "--out", sys.argv[2]])
"""


def test_a_killed_build_leaves_a_spare_that_is_never_trusted(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(root, out)
    build(root, out)
    held, before = tree(out), inodes(out)
    edit(root)
    killed = subprocess.run([sys.executable, "-c", KILLED, str(root), str(out)], check=False)
    assert killed.returncode == -9
    assert tree(out) == held and inodes(out) == before
    left = [p for p in tmp_path.iterdir() if p.name.startswith("._site.")]
    assert [p.name.split("-")[0] for p in left] == ["._site.staging"]  # the claimed spare
    assert not (left[0] / MANIFEST).exists()
    build(root, out)  # tidies it, and builds in a fresh folder
    assert not left[0].exists()
    assert tree(out) == cold_build(root, tmp_path / "cold")


# ---------------------------------------------------------------- a spare not to be trusted


def test_a_spare_that_is_a_link_is_never_followed(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build(root, out)
    outside = tmp_path / "outside"
    shutil.copytree(out, outside)  # a whole site with our manifest, elsewhere
    forged = outside / MENTOR
    forged.write_bytes(forged.read_bytes().replace(b"Ana", b"EVL"))
    planted = tree(outside)
    stamps = {name: (outside / name).stat().st_mtime_ns for name in planted}
    spare_folder(out).symlink_to(outside, target_is_directory=True)
    edit(root)
    build(root, out)
    assert tree(outside) == planted
    assert {name: (outside / name).stat().st_mtime_ns for name in planted} == stamps
    assert not spare_folder(out).is_symlink()
    assert tree(out) == cold_build(root, tmp_path / "cold")


@pytest.mark.parametrize("where", ["../outside/victim.txt", "/VICTIM", "a/../../outside/x.txt"])
def test_a_forged_manifest_reaches_nothing_outside(root: Path, tmp_path: Path, where: str) -> None:
    out = tmp_path / "_site"
    build(root, out)
    build(root, out)
    spare = spare_folder(out)
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep me")
    target = where.replace("/VICTIM", str(victim))
    document = json.loads((spare / MANIFEST).read_text(encoding="utf-8"))
    document["files"][target] = document["files"]["index.html"]
    (spare / MANIFEST).write_text(json.dumps(document), encoding="utf-8")
    assert target not in (read_manifest(spare) or {})
    edit(root)
    build(root, out)
    assert victim.read_text() == "keep me"
    assert tree(out) == cold_build(root, tmp_path / "cold")


@pytest.mark.parametrize("how", ["file", "folder"])
def test_links_in_the_spare_are_never_followed(root: Path, tmp_path: Path, how: str) -> None:
    """A page of the spare (same size, same manifest entry), or a folder on the way to pages,
    replaced by a link to a copy outside: the copy is neither reused nor written."""
    out = tmp_path / "_site"
    build(root, out)
    build(root, out)
    spare = spare_folder(out)
    outside = tmp_path / "outside"
    forged_page = (spare / MENTOR).read_bytes().replace(b"Ana", b"EVL")
    if how == "file":
        outside.mkdir()
        page = spare / MENTOR
        (outside / "index.html").write_bytes(forged_page)
        page.unlink()
        page.symlink_to(outside / "index.html")
    else:
        shutil.copytree(spare / "mentors", outside)
        (outside / "ana-lukasiewicz/index.html").write_bytes(forged_page)
        shutil.rmtree(spare / "mentors")
        (spare / "mentors").symlink_to(outside, target_is_directory=True)
    planted = tree(outside)
    edit(root)
    build(root, out)
    assert tree(outside) == planted
    site = tree(out)
    assert forged_page not in site.values()  # not "EVL": a signature may hold it by chance
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert site == cold_build(root, tmp_path / "cold")


def test_without_an_atomic_exchange_no_spare_is_kept(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where folders cannot be exchanged in one call, builds fill a fresh folder every time (and
    link what is unchanged from `--out`), as before the spare."""
    from menteo import atomic_output

    monkeypatch.setattr(atomic_output, "_renameat2", lambda: None)
    out = tmp_path / "_site"
    build(root, out)
    for line in ("Second build.", "Third build."):
        before = inodes(out)
        edit(root, line)
        build(root, out)
        assert not spare_folder(out).exists()
        assert inodes(out)[MENTOR] == before[MENTOR]  # linked from the previous site
    assert tree(out) == cold_build(root, tmp_path / "cold")
