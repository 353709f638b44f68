"""`atomic_write`, the one way menteo replaces a file (ledger, keys, key chain, caches): whole or
not at all, with exact permission bits where asked, durable where asked."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from menteo.atomic_output import atomic_write
from menteo.credentials.cache import ImageCache, SignatureCache
from menteo.credentials.keys import generate_keys, write_keys

PNG = b"\x89PNG\r\n\x1a\nrest"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Umask 0: any bit a write does not set itself would show up."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


def test_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["file.json"]


@pytest.mark.usefixtures("open_umask")
def test_mode_is_exact_and_default_follows_the_umask(tmp_path: Path) -> None:
    atomic_write(tmp_path / "private", b"k", mode=0o600)
    atomic_write(tmp_path / "public", b"p", mode=0o644)
    atomic_write(tmp_path / "plain", b"x")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {"private": 0o600, "public": 0o644, "plain": 0o666}


@pytest.mark.usefixtures("open_umask")
def test_keys_stay_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    write_keys(folder, generate_keys(str(folder)), development=True)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {
        name: 0o600 for name in os.listdir(folder)
    }


def test_a_link_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(b"theirs")
    (tmp_path / "dir").mkdir()
    target = tmp_path / "dir" / "file"
    target.symlink_to(outside)
    atomic_write(target, b"ours")
    assert outside.read_bytes() == b"theirs"
    assert not target.is_symlink() and target.read_bytes() == b"ours"


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_failed_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = tmp_path / "file"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, step, _full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["file"]


@pytest.mark.parametrize("durable", [True, False])
def test_durable_flushes_file_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    atomic_write(tmp_path / "file", b"x", durable=durable)
    assert len(synced) == (2 if durable else 0)


def test_caches_leave_no_temporary_file_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = ImageCache(tmp_path / "images")
    signatures = SignatureCache(tmp_path / "signatures.json")
    signatures.remember("kind", "key", b"signed", "signature")
    monkeypatch.setattr(os, "replace", _full_disk)
    with pytest.raises(OSError):
        images.put(("a",), PNG)
    with pytest.raises(OSError):
        signatures.save()
    assert os.listdir(tmp_path / "images") == []
    assert os.listdir(tmp_path) == ["images"]
