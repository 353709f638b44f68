"""Pull requests are untrusted: their prose may not name a person who has not consented, nor
publish an email address in any spelling. Attacks go through the real CLI (`check` and `build`);
the matcher and the visible-text normaliser also have focused unit tests."""

from __future__ import annotations

import base64
import gzip
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factory import (
    COMMUNITY,
    FEEDBACK,
    KICKOFF,
    MENTEE,
    MENTOR,
    ROADMAP,
    THREAD,
    THREAD_FILE,
    edit,
    make_community,
)
from menteo.cli import main
from menteo.content.consent_text import HINT, NameMatcher
from menteo.content.visible_text import email_line, shows_email, visible_text

MINI = Path(__file__).parent / "fixtures" / "mini"
PUBLIC_THREAD = edit(
    THREAD_FILE, "started: 2025-01-10\n", "started: 2025-01-10\nvisibility: public\n"
)
KICKOFF_BODY_LINE = 9
"""The line of the kickoff entry's Markdown body in the factory's community."""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def check(root: Path) -> Result:
    return run("check", root)


def kickoff(body: str, title: str = "Kickoff") -> dict[str, str | None]:
    text = edit(KICKOFF, "We agreed on a plan.", body)[KICKOFF]
    return {KICKOFF: text.replace("title: Kickoff", f"title: {title}")}


def named(result: Result, where: str, field: str, who: str = "mentee 'bo-chen'") -> bool:
    return f"{where}: {field}: names {who}, who has not consented" in result.output


# ---------------------------------------------------------------- names, through the CLI


def test_full_name_in_a_mentors_bio(tmp_path: Path) -> None:
    root = make_community(tmp_path, edit(MENTOR, "Ana builds", "Ana mentors Bo Chen and builds"))
    result = check(root)
    assert result.exit_code == 1, result.output
    assert named(result, f"{MENTOR}:3", "bio")
    assert HINT in result.output


def test_full_name_in_an_entry_of_a_public_thread(tmp_path: Path) -> None:
    root = make_community(tmp_path, {**PUBLIC_THREAD, **kickoff("First\n\nBo Chen set the plan.")})
    result = check(root)
    assert result.exit_code == 1
    assert named(result, f"{KICKOFF}:{KICKOFF_BODY_LINE + 2}", "body")


def test_full_name_in_a_thread_goal_title(tmp_path: Path) -> None:
    root = make_community(
        tmp_path, edit(THREAD_FILE, "title: Publish a first page", "title: Bo Chen publishes")
    )
    result = check(root)
    assert result.exit_code == 1
    assert named(result, f"{THREAD_FILE}:8", "goals[0].title")


def test_full_name_in_a_badge_reward(tmp_path: Path) -> None:
    badge = """\
name: Helper
description: Helped with a first session.
audience: mentor
criteria: {sessions: {min: 1}}
rewards:
  - title: Lunch with the board
    description: Paired with Bo Chen for a day.
    how_to_claim: Open an issue
"""
    root = make_community(tmp_path, {"badges/helper.yaml": badge})
    result = check(root)
    assert result.exit_code == 1
    assert named(result, "badges/helper.yaml:7", "rewards[0].description")


@pytest.mark.parametrize(
    "changes, where, field",
    [
        (edit(COMMUNITY, "name: Web Circle", "name: Bo Chen's circle"), f"{COMMUNITY}:2", "name"),
        (edit(COMMUNITY, "We meet on", "We meet\nBo Chen on"), f"{COMMUNITY}:7", "body"),
        (
            edit(ROADMAP, "title: Style with CSS", "title: Style like Bo Chen"),
            f"{ROADMAP}:8",
            "steps[1].title",
        ),
        (
            edit(
                "menteo.yml", "name: Test Circle\n", "name: Test Circle\ndescription: Bo Chen's\n"
            ),
            "menteo.yml",
            "description",
        ),
        (
            edit(
                THREAD_FILE,
                "started: 2025-01-10\n",
                "started: 2025-01-10\nvisibility: public\nsummary: Bo Chen\n",
            ),
            f"{THREAD_FILE}:5",
            "summary",
        ),
    ],
)
def test_full_name_in_other_published_text(
    tmp_path: Path, changes: dict[str, str | None], where: str, field: str
) -> None:
    result = check(make_community(tmp_path, changes))
    assert result.exit_code == 1
    assert named(result, where, field), result.output


def test_a_summary_threads_summary_is_not_published(tmp_path: Path) -> None:
    summary = edit(THREAD_FILE, "started: 2025-01-10\n", "started: 2025-01-10\nsummary: Bo Chen\n")
    assert check(make_community(tmp_path, summary)).exit_code == 0


def test_slug_as_a_word_and_in_a_link(tmp_path: Path) -> None:
    root = make_community(
        tmp_path,
        edit(
            MENTOR, "bio: Ana builds", "bio: See https://example.org/mentees/bo-chen/. Ana builds"
        ),
    )
    result = check(root)
    assert result.exit_code == 1
    assert named(result, f"{MENTOR}:3", "bio")


@pytest.mark.parametrize(
    "spelling",
    [
        "BO CHEN",
        "bo   chen",
        "Bo\u00a0Chen",
        "Bo&nbsp;Chen",
        "**Bo** Chen",
        "Bo\nChen",
        "Ｂｏ Ｃｈｅｎ",
    ],
)
def test_case_whitespace_and_unicode_variants(tmp_path: Path, spelling: str) -> None:
    root = make_community(tmp_path, {**PUBLIC_THREAD, **kickoff(f"Met {spelling} today.")})
    result = check(root)
    assert result.exit_code == 1, spelling
    assert named(result, f"{KICKOFF}:{KICKOFF_BODY_LINE}", "body")


@pytest.mark.parametrize(
    "text",
    ["Bo said hello.", "Chen is a surname.", "bo-chen-2 is someone else", "Bochen", "xbo chen"],
)
def test_a_given_name_alone_or_a_longer_word_is_not_a_name(tmp_path: Path, text: str) -> None:
    root = make_community(tmp_path, {**PUBLIC_THREAD, **kickoff(text)})
    assert check(root).exit_code == 0, text


def test_a_summary_thread_publishes_titles_but_not_text(tmp_path: Path) -> None:
    body_only = make_community(tmp_path / "body", kickoff("Bo Chen set the plan."))
    assert check(body_only).exit_code == 0
    title = make_community(tmp_path / "title", kickoff("Plan.", title="Kickoff with Bo Chen"))
    result = check(title)
    assert result.exit_code == 1
    assert named(result, f"{KICKOFF}:5", "title")
    assert f"{KICKOFF}:{KICKOFF_BODY_LINE}" not in result.output


def test_a_private_thread_publishes_nothing(tmp_path: Path) -> None:
    changes = {
        **edit(THREAD_FILE, "title: Publish a first page", "title: Bo Chen publishes"),
        **kickoff("Bo Chen set the plan.", title="Kickoff with Bo Chen"),
    }
    changes[THREAD_FILE] = changes[THREAD_FILE].replace(
        "started: 2025-01-10\n", "started: 2025-01-10\nvisibility: private\n"
    )
    assert check(make_community(tmp_path, changes)).exit_code == 0


def test_an_unshared_outcome_publishes_neither_title_nor_text(tmp_path: Path) -> None:
    outcome = """\
---
kind: outcome
date: 2025-02-01
author: bo-chen
title: Bo Chen got promoted
outcome: promotion
---
Bo Chen is a senior now.
"""
    changes = {**PUBLIC_THREAD, f"{THREAD}/2025-02-01-promoted.md": outcome}
    assert check(make_community(tmp_path / "unshared", changes)).exit_code == 0
    shared = {
        **changes,
        **edit(MENTEE, "skills: [css]\n", "skills: [css]\nconsent: {share_outcomes: true}\n"),
    }
    result = check(make_community(tmp_path / "shared", shared))
    assert named(result, f"{THREAD}/2025-02-01-promoted.md:5", "title")
    assert named(result, f"{THREAD}/2025-02-01-promoted.md:8", "body")


def test_naming_oneself_in_an_unpublished_file_and_naming_consenting_people_is_fine(
    tmp_path: Path,
) -> None:
    own_bio = edit(MENTEE, "skills: [css]\n", "skills: [css]\nbio: I am Bo Chen.\n")
    assert check(make_community(tmp_path / "own", own_bio)).exit_code == 0
    consented = {
        **edit(MENTEE, "skills: [css]\n", "skills: [css]\nconsent: {public: true}\n"),
        **PUBLIC_THREAD,
        **kickoff("Bo Chen set the plan."),
    }
    assert check(make_community(tmp_path / "consented", consented)).exit_code == 0


def test_a_mentor_without_consent_and_their_github_handle(tmp_path: Path) -> None:
    mentor = edit(
        MENTOR,
        "availability: open\n",
        'availability: open\nlinks: {github: "https://github.com/ana-codes"}\nconsent: {public: false}\n',
    )
    feedback = edit(FEEDBACK, "Ana was a great mentor.", "Thanks @ana-codes,\n\nand Ana Lima!")
    root = make_community(tmp_path, {**mentor, **PUBLIC_THREAD, **feedback})
    result = check(root)
    assert result.exit_code == 1
    assert result.output.count("names mentor 'ana-lima'") == 2, result.output
    assert "a mentor" in HINT


def test_build_refuses_too_and_writes_nothing(tmp_path: Path) -> None:
    root = make_community(
        tmp_path / "c", edit(MENTOR, "Ana builds", "Ana mentors Bo Chen and builds")
    )
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert named(result, f"{MENTOR}:3", "bio")
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- emails, through the CLI

SPELLINGS = [
    "bo@example.org",
    "bo&#64;example.org",
    "bo&commat;example.org",
    "bo&#x40;example.org",
    "bo\\@example.org",
    "bo@<!-- -->example.org",
    "bo<span>@</span>example.org",
    "bo%40example.org",
    "bo＠example.org",
    "[site](https://bo@example)",
    "![x](https://bo:secret@example.org/x.png)",
    "<mailto:bo@example.org>",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_email_in_any_spelling_in_a_body(tmp_path: Path, spelling: str) -> None:
    root = make_community(
        tmp_path, {**PUBLIC_THREAD, **kickoff(f"Intro.\n\nWrite to {spelling} now.")}
    )
    result = check(root)
    assert result.exit_code == 1, spelling
    assert f"{KICKOFF}:{KICKOFF_BODY_LINE + 2}: body: contains an email address" in result.output


@pytest.mark.parametrize(
    "field, value",
    [
        ("identity", '{url: "https://bo@example.org/"}'),
        ("identity", '{url: "https://example.org/?contact=bo%40example.org"}'),
        ("links", '{github: "https://bo:pw@github.com/bo"}'),
        ("links", '{website: "https://user@host/"}'),
    ],
)
def test_email_or_user_info_in_a_url_field(tmp_path: Path, field: str, value: str) -> None:
    root = make_community(
        tmp_path, edit(MENTEE, "skills: [css]\n", f"skills: [css]\n{field}: {value}\n")
    )
    result = check(root)
    assert result.exit_code == 1, value
    assert f"{MENTEE}:3: {field}." in result.output
    assert "contains an email address" in result.output


def test_build_refuses_an_email_spelled_with_an_entity(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {**PUBLIC_THREAD, **kickoff("Mail bo&#64;example.org")})
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "contains an email address" in result.output


@pytest.mark.parametrize(
    "template",
    [
        "Write to ana&#64;example.org",
        '<a href="mailto:ana@example.org">mail</a>',
        '<a href="https://ana@example.org/">home</a>',
    ],
)
def test_a_template_in_a_pull_request_cannot_publish_an_email(
    tmp_path: Path, template: str
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "overrides/templates").mkdir(parents=True)
    (root / "overrides/templates/404.html").write_text(template)
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1
    assert "the page /mini/404.html (from its content file or a template) shows an email" in (
        result.output
    )
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- withdrawal, every output file


def _text_of(path: Path) -> str:
    """What a file says, whatever wraps it: gzip (the search index), PNG text chunks (baked
    badges), base64url JWT parts (VC-JWTs)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data.startswith(b"\x89PNG"):
        chunks, at = [], 8
        while at < len(data):
            length, kind = struct.unpack(">I4s", data[at : at + 8])
            body = data[at + 8 : at + 8 + length]
            if kind == b"zTXt":
                chunks.append(zlib.decompress(body.split(b"\0", 1)[1][1:]))
            elif kind == b"iTXt":
                _keyword, rest = body.split(b"\0", 1)
                compressed, text = rest[0], rest[2:].split(b"\0", 2)[2]
                chunks.append(zlib.decompress(text) if compressed else text)
            elif kind == b"tEXt":
                chunks.append(body)
            at += 12 + length
        data = b"\n".join(chunks)
    text = data.decode("utf-8", "replace")
    for token in re.findall(r"[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]{16,}){1,2}", text):
        for part in token.split("."):
            if len(part) % 4 != 1:
                decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
                text += "\n" + decoded.decode("utf-8", "replace")
    return text


def _naming(site: Path) -> set[str]:
    """The output files that name Jonas Berg (full name or slug), in any of their encodings."""
    return {
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file() and re.search(r"jonas\s+berg|jonas-berg", _text_of(path), re.I)
    }


def test_a_mentee_who_withdraws_is_named_in_no_output_file(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    bio = root / "content/mentors/ana-lukasiewicz.md"
    bio.write_text(bio.read_text() + "\nMy mentee Jonas Berg (jonas-berg) shipped a lot.\n")
    assert run("build", root, "--out", tmp_path / "before").exit_code == 0
    before = _naming(tmp_path / "before")
    # While he consents he is everywhere, and the scan reads every kind of file it must.
    for kind in (".html", ".xml", ".json", ".svg", ".png", ".jwt", ".pf_fragment"):
        assert any(name.endswith(kind) for name in before), kind

    mentee = root / "content/mentees/jonas-berg.yaml"
    mentee.write_text(mentee.read_text().replace("public: true", "public: false"))
    refused = run("build", root, "--out", tmp_path / "after")
    assert refused.exit_code == 1
    assert "content/mentors/ana-lukasiewicz.md:14: bio: names mentee 'jonas-berg'" in refused.output
    assert not (tmp_path / "after").exists()

    bio.write_text(bio.read_text().replace("Jonas Berg (jonas-berg)", "my mentee"))
    built = run("build", root, "--out", tmp_path / "after")
    assert built.exit_code == 0, built.output
    assert _naming(tmp_path / "after") == set()


# ---------------------------------------------------------------- unit tests


def _matcher(**names: tuple[str, str]) -> NameMatcher:
    return NameMatcher({name.replace("_", " "): who for name, who in names.items()})


def test_matcher_finds_lines_and_owners_in_texts_judged_together() -> None:
    matcher = _matcher(li_wei=("mentee", "li-wei"), **{"li-wei": ("mentee", "li-wei")})
    found = matcher.find_all(["nothing here", "one\ntwo LI  WEI\nthree li-wei", "li wei"])
    assert found == [
        (1, 1, "mentee", "li-wei"),
        (1, 2, "mentee", "li-wei"),
        (2, 0, "mentee", "li-wei"),
    ]


def test_matcher_never_matches_across_texts_judged_together() -> None:
    assert _matcher(li_wei=("mentee", "li-wei")).find_all(["ask li", "wei later"]) == []


def test_matcher_keeps_texts_apart_even_when_one_holds_the_separator() -> None:
    matcher = _matcher(li_wei=("mentee", "li-wei"))
    assert matcher.find_all(["a\x00b", "li wei"]) == [(1, 0, "mentee", "li-wei")]


def test_matcher_finds_names_without_ascii_letters() -> None:
    matcher = _matcher(李伟=("mentee", "li"))
    assert matcher.find_all(["感谢 李伟 的帮助"]) == [(0, 0, "mentee", "li")]


def test_visible_text_keeps_lines_and_drops_markup() -> None:
    assert visible_text("a<!--\n-->b<span\nclass=x>c</span>\n&#64;") == "a\nb\nc\n@"
    assert visible_text("see <https://example.org/>") == "see <https://example.org/>"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_email_line_finds_every_spelling(spelling: str) -> None:
    assert email_line(f"one\ntwo {spelling}") == 1


@pytest.mark.parametrize(
    "text", ["@ana on Mastodon", "https://mastodon.social/@ana", "50% & more", "a * b ~ c"]
)
def test_email_line_leaves_handles_and_symbols_alone(text: str) -> None:
    assert email_line(text) is None


def test_shows_email_reads_text_and_links_but_not_handles_or_css() -> None:
    assert shows_email(b"<p>a<em>@</em>b.org</p>")
    assert shows_email(b'<a href="mailto:a@b.org">x</a>')
    assert shows_email(b"<p>a&#x40;b.org</p>")
    page = b'<a href="https://social.example.org/@ana">M</a> <a href="https://x.org/@media/">c</a>'
    assert not shows_email(page + b" &amp; more")
