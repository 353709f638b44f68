"""The package as people install it: the wheel built from this tree holds every runtime file,
carries full metadata, and, installed on its own in a fresh virtual environment (no editable
install, no PYTHONPATH, run outside the source tree), builds the demo in English and Spanish.

The fresh environment borrows the already-installed dependencies through a `.pth` line instead
of downloading them again: what is under test is the wheel's own files, not pip's resolver (CI's
`pip install` resolves the same requirements)."""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "menteo"
DEMO = ("menteo.yml", "content", "badges", "ledger")
SOURCE = ("pyproject.toml", "MANIFEST.in", "LICENSE", "docs/package-readme.md", "generator")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
PROBES = ("menteo/scaffold/.probe-folder/.probe-file", "menteo/scaffold/.probe.yml")
"""Dot-files added to the copy that is built: package-data globs skip hidden files, and the
scaffold of `menteo new site` is full of them (.gitignore, .github/workflows/)."""

pytestmark = pytest.mark.slow


def _runtime_files() -> set[str]:
    """Every file of the package in the source tree, as a wheel names it."""
    return {
        "menteo/" + path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the tree, with the declared build-system (isolated)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCE:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=SKIP)
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    for probe in PROBES:
        (source / "generator" / probe).parent.mkdir(parents=True, exist_ok=True)
        (source / "generator" / probe).write_text("probe: true\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        env=_clean_env(),
    )
    (found,) = out.glob("menteo-*.whl")
    return found


def _clean_env() -> dict[str, str]:
    """The environment without anything that would make Python see the source tree."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(name))


def test_wheel_holds_every_runtime_file_including_dot_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("menteo/")}
    missing = (_runtime_files() | set(PROBES)) - shipped
    assert not missing, sorted(missing)
    assert "menteo/locales/es/LC_MESSAGES/messages.po" in shipped
    assert not [n for n in shipped if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_metadata_is_complete(wheel: Path) -> None:
    meta = _metadata(wheel)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["License-File"] == "LICENSE"
    assert meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert any(c.startswith("Topic ::") for c in classifiers)
    with zipfile.ZipFile(wheel) as archive:
        licence = archive.read("menteo-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence


def test_package_index_description_has_no_relative_links(wheel: Path) -> None:
    """A package index renders the description away from the repository: a relative image or
    document link would be broken there."""
    description = _metadata(wheel).get_payload()
    assert "menteo" in description
    targets = re.findall(r"\]\(([^)]+)\)", description)
    assert all(re.match(r"https?://", target) for target in targets), targets


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed; returns its `menteo`."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        env=_clean_env(),
    )
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dependencies = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (Path(target) / "_menteo_test_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    where = subprocess.run(
        [str(python), "-c", "import menteo; print(menteo.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=venv,
    ).stdout
    assert where.startswith(str(venv)), where
    return venv / "bin" / "menteo"


def _demo(tmp_path: Path, language: str) -> Path:
    root = tmp_path / f"demo-{language}"
    root.mkdir()
    for name in DEMO:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, root / name)
        else:
            shutil.copy2(origin, root / name)
    config = root / "menteo.yml"
    config.write_text(
        re.sub(r"(?m)^language: .*$", f"language: {language}", config.read_text("utf-8")),
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", ">Find a mentor<"), ("es", ">Encuentra a tu mentor o mentora<")],
)
def test_installed_wheel_builds_the_demo(
    installed: Path, tmp_path: Path, language: str, phrase: str
) -> None:
    root = _demo(tmp_path, language)
    result = subprocess.run(
        [str(installed), "build", str(root), "--out", str(root / "_site")],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "translation" not in result.stderr, result.stderr
    home = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in home
    assert phrase in home


def test_pre_commit_hook_runs_menteo_check() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "menteo-check" and hook["entry"] == "menteo check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    for path in ("content/mentors/ana.yaml", "badges/x.yaml", "ledger/awards.jsonl", "menteo.yml"):
        assert re.search(hook["files"], path), path
    assert not re.search(hook["files"], "docs/menteo.yml.md")
