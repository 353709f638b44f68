"""Asking git about the base revision of a pull request, without letting the pull request choose
which repository answers.

git finds its repository by walking up from the working folder, and a folder that looks like a
bare repository (HEAD, objects/, refs/) or holds a `.git` counts: a pull request could plant one
inside the community so that `--against origin/main` reads a base of its own making. So the
repository is located here, once, by the rule below, and every git command gets it explicitly
(`--git-dir`, `--work-tree`), with git's environment overrides removed.

The rule: the nearest `.git` at or above the community root, which must be a real folder, or a
`gitdir:` file naming a repository inside a `.git` folder (how `git worktree` and submodules
link a checkout to its repository); never a symbolic link, never a file pointing elsewhere.
Bare-repository lookalikes are never considered, and nothing below the community root is
consulted. (git refuses to commit a `.git` path, so a planted `.git` can only be local and
untracked; a planted bare repository can be committed, and is ignored.)
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class UsageError(ValueError):
    """A bad git revision or environment setting: the caller's mistake, not the content's."""


@dataclass(frozen=True)
class Repository:
    git_dir: Path
    work_tree: Path
    root: Path
    """The community folder, inside `work_tree`; commands run there."""

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                ["git", f"--git-dir={self.git_dir}", f"--work-tree={self.work_tree}", *args],
                cwd=self.root,
                env=git_environment(os.environ, self.work_tree),
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise UsageError("git is not installed; menteo needs it to read revisions") from None

    def commit(self, ref: str) -> str:
        """The commit `ref` names (a full hash), or `UsageError`."""
        refuse_option(ref)
        found = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
        if found.returncode != 0:
            raise UsageError(f"{ref!r} is not a git revision of {self.root}")
        return found.stdout.decode("ascii").strip()


def refuse_option(ref: str) -> None:
    if ref.startswith("-"):
        raise UsageError(f"{ref!r} is not a git revision (it would be read as an option)")


def git_environment(environ: Mapping[str, str], ceiling: Path) -> dict[str, str]:
    """The environment without any GIT_* variable (GIT_DIR, GIT_INDEX_FILE,
    GIT_OBJECT_DIRECTORY, GIT_CONFIG_* … each redirects git), and no discovery above the work
    tree."""
    kept = {key: value for key, value in environ.items() if not key.startswith("GIT_")}
    return {**kept, "GIT_CEILING_DIRECTORIES": str(ceiling.parent)}


def repository(root: Path) -> Repository:
    """The repository whose work tree holds the community at `root`, by the module's rule."""
    root = root.resolve()
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_symlink():
            raise UsageError(f"{dot_git} is a symbolic link; menteo does not follow it")
        if dot_git.is_dir():
            return Repository(dot_git, folder, root)
        if dot_git.is_file():
            return Repository(_linked_git_dir(dot_git), folder, root)
    raise UsageError(f"{root} is not inside a git repository")


def _linked_git_dir(dot_git: Path) -> Path:
    """The repository a `gitdir:` file names, if it is where git keeps the repositories of
    worktrees and submodules: inside a `.git` folder. Any other target is refused."""
    try:
        text = dot_git.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    target = (dot_git.parent / text.removeprefix("gitdir:").strip()).resolve()
    if not text.startswith("gitdir:") or ".git" not in target.parts[:-1] or not target.is_dir():
        raise UsageError(
            f"{dot_git} points git at {target}, which is not a worktree or submodule "
            "repository; remove it"
        )
    return target


@dataclass(frozen=True)
class Change:
    status: str
    """added, modified, deleted, renamed or untracked."""
    path: str
    """Relative to the community root; a rename's new path."""
    old_path: str = ""
    """A rename's old path."""


_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "modified"}


def changed_files(repo: Repository, commit: str) -> tuple[Change, ...]:
    """Every file of the community that differs from `commit`: committed, staged or not, and
    untracked files git does not ignore."""
    diff = repo.run(
        "diff", "--name-status", "-z", "-M", "--relative", "--no-ext-diff", commit, "--"
    )
    untracked = repo.run("ls-files", "-z", "--others", "--exclude-standard")
    for result in (diff, untracked):
        if result.returncode != 0:
            error = result.stderr.decode("utf-8", errors="replace").strip()
            raise UsageError(f"git cannot list the changes since {commit}: {error}")
    fields = diff.stdout.decode("utf-8", errors="replace").split("\0")[:-1]
    changes: list[Change] = []
    index = 0
    while index < len(fields):
        code = fields[index][:1]
        if code in ("R", "C"):
            old, new = fields[index + 1], fields[index + 2]
            changes.append(Change("renamed" if code == "R" else "added", new, old))
            index += 3
        else:
            changes.append(Change(_STATUS.get(code, "modified"), fields[index + 1]))
            index += 2
    changes += [
        Change("untracked", path)
        for path in untracked.stdout.decode("utf-8", errors="replace").split("\0")[:-1]
    ]
    return tuple(changes)
