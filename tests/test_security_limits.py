"""Hostile input costs what normal input costs, and every file-system oddity is a clean error.

Every file of a pull request is written by an attacker; each test here attacks through the real
CLI and fails on the code as it was before these limits.
"""

from __future__ import annotations

import errno
import http.client
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.factory import FILES, KICKOFF, MENTOR, THREAD, THREAD_FILE, edit, make_community

from menteo.atomic_output import atomic_directory
from menteo.cli import main
from menteo.content import artwork
from menteo.content.artwork import artwork_problems
from menteo.credentials import images
from menteo.serve import EVENTS_PATH, STATUS_PATH, Preview, addressed_to, make_server

BADGE = "badges/star.yaml"
ARTWORK = "badges/images/star.svg"
STAR = (
    "name: Star\ndescription: d\naudience: mentor\nimage: star.svg\n"
    "criteria:\n  sessions: {min: 1}\n"
)
HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' viewBox="0 0 100 100">\n'
)
ART_HINT = "keep to shapes, text and gradients; export it as plain SVG without scripts or links"
SIMPLER = "simplify the drawing, or export it flattened (without reused groups)"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def with_artwork(tmp_path: Path, svg: str | bytes) -> Path:
    root = make_community(tmp_path, {BADGE: STAR})
    (root / "badges/images").mkdir()
    data = svg.encode() if isinstance(svg, str) else svg
    (root / ARTWORK).write_bytes(data)
    return root


def nested_uses(levels: int, fan: int) -> str:
    """Billion laughs in SVG: each group uses the previous one `fan` times."""
    groups = ['<g id="l0"><circle cx="5" cy="5" r="4"/></g>']
    for level in range(1, levels + 1):
        uses = f'<use xlink:href="#l{level - 1}"/>' * fan
        groups.append(f'<g id="l{level}">{uses}</g>')
    return HEAD + "<defs>" + "\n".join(groups) + f'</defs>\n<use href="#l{levels}"/>\n</svg>\n'


# ---------------------------------------------------------------- artwork


def test_nested_use_artwork_is_refused_at_load_by_check_and_build(tmp_path: Path) -> None:
    bomb = nested_uses(10, 10)
    assert len(bomb) < 14_000
    root = with_artwork(tmp_path, bomb)
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        # The innermost group over budget, on its own line: level 4 draws 11,111 circles.
        assert (
            f"{ARTWORK}:6: <g> costs too much to draw: it adds up to more than 10,000 units"
        ) in result.output
        assert SIMPLER in result.output
    assert not (root / "_site").exists()


@pytest.mark.parametrize(
    ("drawing", "line", "message"),
    [
        (
            '<?xml-stylesheet href="https://evil.example/x.css"?>\n' + HEAD + "</svg>",
            1,
            "a processing instruction <?xml-stylesheet ...?> is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: u\\72l(https://evil.example/t)"/>\n</svg>',
            2,
            "a backslash (CSS escape) in attribute 'style' is not allowed in badge artwork",
        ),
        (
            HEAD + "<rect fill=\"image-set('https://evil.example/t.png' 1x)\"/>\n</svg>",
            2,
            "attribute 'fill' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: -webkit-cross-fade(#a, #b, 50%)"/>\n</svg>',
            2,
            "attribute 'style' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: element(#a)"/>\n</svg>',
            2,
            "attribute 'style' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + "<rect style=\"fill: URL( '//evil.example/t')\"/>\n</svg>",
            2,
            "attribute 'style' refers to something outside the file is not allowed in badge "
            "artwork",
        ),
        (
            HEAD + '<g id="a"/>\n<g id="a"><circle r="1"/></g>\n</svg>',
            3,
            "the id 'a' is used twice (give each element its own id)",
        ),
        (
            HEAD + "<g>" * 40 + "</g>" * 40 + "\n</svg>",
            2,
            f"elements nested more than 32 deep ({SIMPLER})",
        ),
        (
            HEAD + "<circle/>" * 5_001 + "\n</svg>",
            2,
            f"more than 5,000 elements ({SIMPLER})",
        ),
    ],
)
def test_artwork_tricks_are_refused(tmp_path: Path, drawing: str, line: int, message: str) -> None:
    result = run("check", with_artwork(tmp_path, drawing))
    assert result.exit_code == 1, result.output
    hinted = message if message.endswith(")") else f"{message} ({ART_HINT})"
    assert f"{ARTWORK}:{line}: {hinted}" in result.output


@pytest.mark.parametrize(
    ("drawing", "line", "culprit"),
    [
        (HEAD + '<use id="a" href="#a"/>\n</svg>', 2, "<use> refers to itself or a loop"),
        (
            HEAD + '<g id="a">\n<g><use href="#b"/></g></g>\n<g id="b"><use href="#a"/></g></svg>',
            3,
            "<use> refers to itself or a loop",
        ),
        (
            HEAD + '<mask id="m">\n<rect mask="url(#m)"/></mask></svg>',
            3,
            "<rect> refers to itself or a loop",
        ),
    ],
)
def test_reference_loops_are_refused(tmp_path: Path, drawing: str, line: int, culprit: str) -> None:
    result = run("check", with_artwork(tmp_path, drawing))
    assert result.exit_code == 1, result.output
    assert f"{ARTWORK}:{line}: {culprit} ({SIMPLER})" in result.output


def test_layers_and_letters_count_towards_the_cost() -> None:
    layered = '<rect width="100" height="100" opacity=".5"/>\n'
    assert artwork_problems((HEAD + layered * 99 + "</svg>").encode(), "a.svg") == []
    [problem] = artwork_problems((HEAD + layered * 100 + "</svg>").encode(), "a.svg")
    assert (problem.line, problem.message.split(":")[0]) == (1, "<svg> costs too much to draw")
    # Inkscape writes opacity:1 on everything: that is no layer. A style beats an attribute.
    plain = '<rect style="opacity:1;fill:#f00" opacity="1"/>\n'
    assert artwork_problems((HEAD + plain * 4_000 + "</svg>").encode(), "a.svg") == []
    hidden = '<rect opacity="1" style="fill:#f00; opacity : 0.5"/>\n'
    assert artwork_problems((HEAD + hidden * 100 + "</svg>").encode(), "a.svg")
    letters = "<text>" + "W" * 2_400 + "</text>\n"
    assert artwork_problems((HEAD + letters + "</svg>").encode(), "a.svg") == []
    assert artwork_problems((HEAD + letters * 2 + "</svg>").encode(), "a.svg")
    gradient = '<linearGradient id="g"><stop offset="0"/></linearGradient>\n'
    painted = HEAD + gradient + '<rect fill="url(#g)"/>\n' * 4_000 + "</svg>"
    assert artwork_problems(painted.encode(), "a.svg") == [], "a paint is not drawn again"


def test_a_long_chain_of_references_is_measured_without_exhausting_the_stack() -> None:
    """Each `<use>` draws every one after it: 4,000 of them draw eight million shapes."""
    chain = "".join(f'<use id="u{n}" href="#u{n + 1}"/>' for n in range(4_000))
    data = (HEAD + chain + '<circle id="u4000"/></svg>').encode()
    [problem] = artwork_problems(data, "a.svg")
    assert problem.message.startswith("<svg> costs too much to draw: it adds up to more than")


def test_oversized_artwork_is_refused_before_it_is_parsed() -> None:
    data = (HEAD + "<!--" + "x" * artwork.MAX_BYTES + "--></svg>").encode()
    [problem] = artwork_problems(data, "a.svg")
    assert (problem.line, problem.message) == (0, "larger than 256 KiB")


def test_a_drawing_that_rasterises_too_slowly_fails_the_build_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backstop behind the load-time bounds: community artwork is rasterised in a child
    process that is killed at the deadline (here made tiny, so any drawing is too slow)."""
    root = with_artwork(tmp_path, HEAD + '<circle cx="50" cy="50" r="40"/>\n</svg>\n')
    monkeypatch.setattr(images, "DRAW_SECONDS", 0.000_1)
    images.png_from_svg.cache_clear()
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert f"{ARTWORK}: it takes more than 0.0001 s to draw (simplify the drawing)" in (
        result.output
    )
    assert not (tmp_path / "site").exists()


def test_a_share_card_whose_artwork_misses_the_deadline_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = with_artwork(tmp_path, HEAD + '<circle cx="50" cy="50" r="40"/>\n</svg>\n')
    bounded = images._bounded_render

    def slow_at_card_size(svg: str, width: int, height: int) -> bytes:
        if width != 512:  # the badge image passes; the share card (420 px) does not
            raise images.DrawingError("it takes more than 5 s to draw")
        return bounded(svg, width, height)

    monkeypatch.setattr(images, "_bounded_render", slow_at_card_size)
    images.png_from_svg.cache_clear()
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert result.output.endswith(
        "Error: a badge's artwork: it takes more than 5 s to draw; nothing was written\n"
    )


def test_our_own_badges_are_drawn_in_process_and_community_artwork_in_a_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    children: list[str] = []
    bounded = images._bounded_render

    def counted(svg: str, width: int, height: int) -> bytes:
        children.append(svg)
        return bounded(svg, width, height)

    monkeypatch.setattr(images, "_bounded_render", counted)
    ours = images.badge_svg("Guide", 2, "mentor")
    theirs = HEAD + '<circle cx="50" cy="50" r="40"/>\n</svg>\n'
    images.png_from_svg.cache_clear()
    assert images.png_from_svg(theirs, 64) == images._render(theirs, 64, 64)
    images.png_from_svg(ours, 64)
    assert children == [theirs]
    with pytest.raises(images.DrawingError, match="cannot be drawn"):
        images.png_from_svg("<svg", 64)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1989-12-31", "2101-01-01"])
def test_an_entry_dated_out_of_range_is_a_content_error(tmp_path: Path, day: str) -> None:
    moved = f"{THREAD}/{day}-kickoff.md"
    text = FILES[KICKOFF].replace("date: 2025-01-10", f"date: {day}")
    root = make_community(tmp_path, {KICKOFF: None, moved: text})
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        assert (
            f"{moved}:3: date: {day} is not between 1990-01-01 and 2100-12-31 (check the year)"
        ) in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        (
            edit(THREAD_FILE, "started: 2025-01-10", "started: 0001-01-01"),
            f"{THREAD_FILE}:3: started",
        ),
        (
            edit(THREAD_FILE, "status: in-progress", "status: in-progress\n    due: 9999-12-31"),
            f"{THREAD_FILE}:10: goals[0].due",
        ),
        (
            {
                BADGE: STAR.replace("image: star.svg\n", "").replace(
                    "{min: 1}", "{min: 1, since: 0001-01-01}"
                )
            },
            f"{BADGE}:5: criteria.sessions.since",
        ),
    ],
)
def test_every_date_field_has_the_range(
    tmp_path: Path, changes: dict[str, str | None], where: str
) -> None:
    result = run("check", make_community(tmp_path, changes))
    assert result.exit_code == 1, result.output
    assert f"{where}: " in result.output and "is not between 1990-01-01 and 2100-12-31" in (
        result.output
    )


# ---------------------------------------------------------------- file-system oddities

AVATAR = "content/mentors/avatars/ana-lima.png"
WITH_AVATAR = {MENTOR: FILES[MENTOR] + f"avatar: {AVATAR}\n"}
FOLDER = "is a folder where a file belongs (replace it with a real file)"
NOT_REGULAR = "is not a regular file (a pipe, socket or device) (replace it with a real file)"


def expect_problem(root: Path, line: str) -> None:
    result = run("check", root)
    assert result.exit_code == 1, result.output
    assert line in result.output.splitlines(), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("path", "changes"),
    [
        (THREAD_FILE, {THREAD_FILE: None}),
        ("menteo.yml", {"menteo.yml": None}),
        (f"{THREAD}/2025-03-01-notes.md", {}),
        ("content/mentees/cy.yaml", {}),
        ("badges/medal.yaml", {}),
        (ARTWORK, {BADGE: STAR}),
        (AVATAR, WITH_AVATAR),
    ],
)
def test_a_folder_where_a_file_belongs(tmp_path: Path, path: str, changes: dict) -> None:
    root = make_community(tmp_path, changes)
    (root / path).mkdir(parents=True)
    expect_problem(root, f"{path}: {FOLDER}")


def test_a_file_where_a_folder_belongs(tmp_path: Path) -> None:
    root = make_community(tmp_path, {MENTOR: None})
    (root / "content/mentors").write_text("name: Ana\n")
    expect_problem(
        root, "content/mentors: is a file where a folder belongs (replace it with a folder)"
    )
    (root / f"{THREAD}-2").write_text("x")
    expect_problem(
        root,
        f"{THREAD}-2: expected a thread folder (put each thread in its own folder with a "
        "thread.yaml)",
    )


@pytest.mark.parametrize("path", [THREAD_FILE, "content/mentees/cy.yaml", "menteo.yml"])
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, path: str) -> None:
    """Opening a pipe to read waits for a writer: forever, in CI. In a child process with a
    timeout, so that the code before this fix fails here rather than hanging the suite."""
    root = make_community(tmp_path, {path: None})
    os.mkfifo(root / path)
    done = subprocess.run(
        [sys.executable, "-m", "menteo", "check", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert f"{path}: {NOT_REGULAR}" in done.stderr.splitlines(), done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_file_is_refused(tmp_path: Path) -> None:
    root = make_community(tmp_path, {THREAD_FILE: None})
    os.mknod(root / THREAD_FILE, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null
    expect_problem(root, f"{THREAD_FILE}: {NOT_REGULAR}")


@pytest.fixture
def denied(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Paths whose opening or listing fails with EACCES, as `chmod 000` does for anyone but
    root (the tests run as root here, where chmod stops nothing)."""
    refused: set[str] = set()

    def guarded(real: Callable[..., object]) -> Callable[..., object]:
        def call(path: object, *args: object, **kwargs: object) -> object:
            if os.fspath(path).endswith(tuple(refused)):  # type: ignore[arg-type]
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[arg-type]
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "open", guarded(os.open))
    monkeypatch.setattr(os, "scandir", guarded(os.scandir))
    return refused


@pytest.mark.parametrize(
    ("path", "changes"),
    [
        (THREAD_FILE, {}),
        ("content/mentees/bo-chen.yaml", {}),
        ("content/mentees", {}),
        (THREAD, {}),
        ("menteo.yml", {}),
        (ARTWORK, {BADGE: STAR, ARTWORK: HEAD + "</svg>"}),
        (AVATAR, {**WITH_AVATAR, AVATAR: "png"}),
    ],
)
def test_an_unreadable_file_or_folder(
    tmp_path: Path, denied: set[str], path: str, changes: dict
) -> None:
    root = make_community(tmp_path, changes)
    denied.add(path)
    expect_problem(root, f"{path}: cannot be read (permission denied) (make it readable)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_really_chmod_000(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    (root / THREAD_FILE).chmod(0)
    expect_problem(root, f"{THREAD_FILE}: cannot be read (permission denied) (make it readable)")


def test_the_ledger_or_public_keys_committed_as_folders(tmp_path: Path) -> None:
    root = make_community(tmp_path / "community")
    (root / "ledger/awards.jsonl").mkdir(parents=True)
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        assert "ledger/awards.jsonl: is a folder where a file belongs" in result.output
    (root / "ledger/awards.jsonl").rmdir()
    (root / "keys/public.json").mkdir(parents=True)
    result = run("build", root)
    assert result.exit_code == 1, result.output
    assert "keys/public.json: is a folder where a file belongs" in result.output
    assert result.output.rstrip().endswith("; nothing was written.")


# ---------------------------------------------------------------- writing the site


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """A tiny tmpfs (as root); the test skips where mounting is not permitted."""
    points: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mount-{len(points)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        points.append(point)
        return point

    yield mount
    for point in points:
        subprocess.run(["umount", str(point)], check=False)


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(
    tmp_path: Path, mounted: Callable[[str], Path]
) -> None:
    disk = mounted("size=64k")
    root = make_community(tmp_path / "community")
    result = run("build", root, "--out", disk / "site")
    assert result.exit_code == 1, result.output
    assert (
        "Error: cannot write the site: No space left on device; the previous site is unchanged"
    ) in result.output
    assert list(disk.iterdir()) == []


def test_a_read_only_out_folder_is_one_line(tmp_path: Path, mounted: Callable[[str], Path]) -> None:
    disk = mounted("ro,size=64k")
    root = make_community(tmp_path / "community")
    result = run("build", root, "--out", disk / "site")
    assert result.exit_code == 1, result.output
    assert (
        "Error: cannot write the site: Read-only file system; the previous site is unchanged"
    ) in result.output


def test_an_out_folder_without_write_permission_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (root may write anywhere): the folder the site goes in refuses new entries."""
    root = make_community(tmp_path / "community")
    real = Path.mkdir

    def refused(path: Path, *args: object, **kwargs: object) -> None:
        if path.name.startswith(".site.staging-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refused)
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert result.output.endswith(
        "Error: cannot write the site: Permission denied; the previous site is unchanged\n"
    )


def test_a_failing_write_keeps_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated, so that it runs anywhere: the disk fills up halfway through a rebuild."""
    root = make_community(tmp_path / "community")
    out = tmp_path / "site"
    assert run("build", root, "--out", out).exit_code == 0
    before = (out / "index.html").read_bytes()
    real = os.open

    def full(path: str | Path, flags: int, *args: int, **kwargs: object) -> int:
        if ".site.staging-" in str(path) and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", full)
    with (root / KICKOFF).open("a", encoding="utf-8") as entry:  # a page to write
        entry.write("\nOne more line.\n")
    result = run("build", root, "--out", out)
    assert result.exit_code == 1, result.output
    assert "cannot write the site: No space left on device; the previous site" in result.output
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["community", "site"]


def test_an_unreadable_file_read_during_the_build_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_community(tmp_path / "community")
    real = Path.read_bytes

    def denied(source: Path) -> bytes:
        if source.suffix == ".css":
            raise PermissionError(errno.EACCES, "Permission denied", str(source))
        return real(source)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert ".css: Permission denied; nothing was written" in result.output


# ---------------------------------------------------------------- leftovers of killed builds


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_build_removes_what_killed_builds_left(tmp_path: Path) -> None:
    root = make_community(tmp_path / "community")
    dead, alive = dead_pid(), 1  # init never dies
    keep = tmp_path / "keep"
    keep.mkdir()
    stale = [f".site.staging-{dead}", f".site.old-{dead}", f".search-{dead}-k3j_x9"]
    live = [f".site.staging-{alive}", f".search-{alive}-abc", f".search-{os.getpid()}-abc"]
    other = [".site.staging-12ab", ".site.staging-", ".search-", ".other.staging-7", "notes"]
    for name in stale + live + other:
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text("x")
    (tmp_path / f".site.staging-{dead_pid()}").symlink_to(keep)
    (tmp_path / "site").mkdir()  # an empty site folder: a build may replace it
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 0, result.output
    left = {p.name for p in tmp_path.iterdir()}
    assert not left & set(stale)
    assert set(live + other) <= left
    assert keep.is_dir() and (tmp_path / "keep").exists()
    assert [p.name for p in keep.iterdir()] == []


def test_a_site_moved_aside_by_a_killed_swap_comes_back(tmp_path: Path) -> None:
    out = tmp_path / "site"
    aside = tmp_path / f".site.old-{dead_pid()}"
    aside.mkdir()
    (aside / "index.html").write_text("previous")
    with pytest.raises(RuntimeError), atomic_directory(out) as staging:
        (staging / "index.html").write_text("new")
        raise RuntimeError("the build fails")
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# ---------------------------------------------------------------- serve and DNS rebinding


def test_serve_answers_only_requests_addressed_to_it(tmp_path: Path) -> None:
    root = make_community(tmp_path / "community")
    preview = Preview(root)
    server = make_server(preview, "127.0.0.1", 0)
    port = server.server_address[1]
    preview.base_url = f"http://127.0.0.1:{port}/"
    assert preview.rebuild(), preview.problems
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:

        def status(host: str | None, method: str = "GET", path: str = "/") -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.putrequest(method, path, skip_host=True)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            code = connection.getresponse().status
            connection.close()
            return code

        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            assert status(host) == 200, host
        assert status(f"127.0.0.1:{port}", "HEAD") == 200
        for host in (
            f"evil.example:{port}",
            "evil.example",
            f"127.0.0.1:{port + 1}",
            "127.0.0.1",
            f"127.0.0.1.evil.example:{port}",
            f"localhost:{port}@evil.example",
            None,
        ):
            assert status(host) == 421, host
            assert status(host, "HEAD") == 421, host
            assert status(host, path=STATUS_PATH) == 421, host
            assert status(host, path=EVENTS_PATH) == 421, host
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("header", "bound", "answered"),
    [
        ("[::1]:8000", "127.0.0.1", True),
        ("10.0.0.5:8000", "0.0.0.0", True),
        ("localhost:8000", "0.0.0.0", True),
        ("evil.example:8000", "0.0.0.0", False),
        ("10.0.0.5:8000", "127.0.0.1", False),
        ("box.lan:8000", "box.lan", True),
        ("evil.example:8000", "box.lan", False),
        ("127.0.0.1:x", "127.0.0.1", False),
    ],
)
def test_which_host_headers_name_the_server(header: str, bound: str, answered: bool) -> None:
    assert addressed_to(header, bound, 8000) is answered
