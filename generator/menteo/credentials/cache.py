"""Signatures (and rendered images) remembered between builds, keyed by the exact bytes signed and the key.

Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic, so a signature computed once for a
given input and key is the signature every later build would compute: reusing it is safe, and
it turns a rebuild after one new award into one new signature instead of thousands. The cache
lives in the git-ignored `.menteo/cache/` of the community; deleting it only costs time. A
cache that arrived through a commit or a symlink would be served as our own work: the build
refuses it first (`private_state.check_private_paths` on `CACHE_PATHS`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from menteo.atomic_output import atomic_write
from menteo.code_identity import code_key
from menteo.private_state import make_private_folder
from menteo.sealed import seal, unseal

CACHE_DIR = Path(".menteo/cache")
CACHE_FILE = CACHE_DIR / "signatures.json"
IMAGE_CACHE = CACHE_DIR / "images"
SEARCH_CACHE = CACHE_DIR / "search"
"""Pagefind's bundles by the digest of their pages (`menteo.site.search`)."""
DOCUMENT_CACHE = CACHE_DIR / "credentials"
"""Each award's signed documents by the digest of everything they are made from."""
BAKED_CACHE = CACHE_DIR / "baked.json"
"""The stamp of each baked credential image a build wrote, by a digest of what it is baked from."""
CACHE_PATHS = (CACHE_FILE, IMAGE_CACHE, SEARCH_CACHE, DOCUMENT_CACHE, BAKED_CACHE)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FORMAT = 1
MAX_ENTRIES = 100_000
DOCUMENTS_FORMAT = b"menteo-credential-documents 1\n"
BAKED_FORMAT = b"menteo-baked-images 1\n"
_BAKING_LIBRARIES = ("pypng", "defusedxml")
_SIGNING_LIBRARIES = ("cryptography", "PyLD")


class SignatureCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, str] = {}
        self.used: set[str] = set()
        self.changed = False
        if path is not None and path.is_file():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            if isinstance(stored, dict) and stored.get("format") == FORMAT:
                entries = stored.get("signatures", {})
                if isinstance(entries, dict):
                    self.entries = {k: v for k, v in entries.items() if isinstance(v, str)}

    @classmethod
    def for_community(cls, root: Path) -> SignatureCache:
        return cls(root / CACHE_FILE)

    def signature(
        self,
        kind: str,
        key_id: str,
        signed: bytes,
        sign: Callable[[], str],
        check: Callable[[str], bool] | None = None,
    ) -> str:
        """`sign()`'s result for these exact bytes under this key, computed at most once; a
        remembered one that fails `check` (a damaged or edited cache) is computed again."""
        digest = self.digest(kind, key_id, signed)
        self.used.add(digest)
        found = self.entries.get(digest)
        if found is None or (check is not None and not check(found)):
            found = self.entries[digest] = sign()
            self.changed = True
        return found

    @staticmethod
    def digest(kind: str, key_id: str, signed: bytes) -> str:
        return hashlib.sha256(f"{kind}\0{key_id}\0".encode() + signed).hexdigest()

    def missing(self, kind: str, key_id: str, signed: bytes) -> bool:
        return self.digest(kind, key_id, signed) not in self.entries

    def remember(self, kind: str, key_id: str, signed: bytes, signature: str) -> None:
        """A signature computed elsewhere (by the parallel signer) for these exact bytes."""
        self.entries[self.digest(kind, key_id, signed)] = signature
        self.changed = True

    def save(self) -> None:
        """Write new signatures, atomically. Entries this build did not use are kept (a
        preview with another base URL must not evict the real build's) until the file passes
        `MAX_ENTRIES`; then only this build's are kept."""
        if self.path is None or not self.changed:
            return
        keys = self.entries if len(self.entries) <= MAX_ENTRIES else self.used
        kept = {k: self.entries[k] for k in sorted(keys)}
        if not self.path.parent.is_dir():
            make_private_folder(self.path.parent)
        data = json.dumps({"format": FORMAT, "signatures": kept}).encode("utf-8")
        atomic_write(self.path, data, durable=False)


class ImageCache:
    """Rendered badge images and share cards between builds, keyed by everything that decides
    their pixels (the inputs and the renderer's version): rendering is most of a rebuild
    otherwise."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.version = _renderer_version()

    @classmethod
    def for_community(cls, root: Path) -> ImageCache:
        return cls(root / IMAGE_CACHE)

    def image(self, parts: tuple[str, ...], render: Callable[[], bytes]) -> bytes:
        data = self.get(parts)
        if data is None:
            data = render()
            self.put(parts, data)
        return data

    def _path(self, parts: tuple[str, ...]) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256("\0".join((self.version, *parts)).encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.png"

    def get(self, parts: tuple[str, ...]) -> bytes | None:
        """The remembered image, or None (also for a damaged file: it is rendered again)."""
        path = self._path(parts)
        try:
            data = path.read_bytes() if path is not None else b""
        except OSError:
            data = b""
        return data if data.startswith(PNG_SIGNATURE) else None

    def put(self, parts: tuple[str, ...], data: bytes) -> None:
        path = self._path(parts)
        if path is None:
            return
        if not path.parent.is_dir():
            make_private_folder(path.parent)
        atomic_write(path, data, durable=False)


def _renderer_version() -> str:
    """resvg's version and our drawing code's digest: a new layout must not be served from the
    cache."""
    drawing = hashlib.sha256(Path(__file__).with_name("images.py").read_bytes()).hexdigest()[:16]
    try:
        return f"resvg-py {metadata.version('resvg-py')} images.py {drawing}"
    except metadata.PackageNotFoundError:
        return f"resvg-py unknown images.py {drawing}"


class DocumentCache:
    """Each award's credential documents (the texts that carry its signatures) between builds,
    so a rebuild neither rebuilds, serialises, signs nor checks the signatures of an award that
    did not change.

    An entry is named by a digest the caller computes over everything the documents are made
    from (`key`: menteo's code, the signing libraries' versions, and the caller's parts: the
    award's facts, its badge, the issuer, the site's addresses and the keys' public identity),
    so a changed input can only miss; nothing from the repository names one. Signatures are
    deterministic, so a remembered document is byte for byte what a cold build signs. Each
    entry carries the SHA-256 of its text: a damaged or truncated one is a miss, made again."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @classmethod
    def for_community(cls, root: Path) -> DocumentCache:
        return cls(root / DOCUMENT_CACHE)

    @staticmethod
    def key(*parts: str) -> str:
        hasher = hashlib.sha256(code_key(DOCUMENTS_FORMAT, _SIGNING_LIBRARIES))
        for part in parts:
            data = part.encode("utf-8", "surrogatepass")
            hasher.update(b"%d:" % len(data) + data)
        return hasher.hexdigest()

    def _path(self, key: str) -> Path | None:
        return self.directory / key if self.directory is not None else None

    def get(self, key: str) -> tuple[str, ...] | None:
        """The remembered documents, or None (also for a damaged or foreign file)."""
        path = self._path(key)
        try:
            stored = path.read_bytes() if path is not None else b""
        except OSError:
            return None
        rest = unseal(DOCUMENTS_FORMAT, stored)
        if rest is None:
            return None
        sizes, _, texts = rest.partition(b"\n")
        try:
            lengths = [int(size) for size in sizes.split(b" ")]
            ends = list(itertools.accumulate(lengths))
            if ends[-1] != len(texts) or min(lengths) < 0:
                return None
            return tuple(
                texts[end - n : end].decode("utf-8") for n, end in zip(lengths, ends, strict=True)
            )
        except ValueError:  # not numbers, or not UTF-8
            return None

    def put(self, key: str, documents: tuple[str, ...]) -> None:
        path = self._path(key)
        if path is None or not documents:
            return
        texts = [text.encode("utf-8") for text in documents]
        rest = b" ".join(b"%d" % len(text) for text in texts) + b"\n" + b"".join(texts)
        if not path.parent.is_dir():
            make_private_folder(path.parent)
        atomic_write(path, seal(DOCUMENTS_FORMAT, rest), durable=False)


class BakedCache:
    """The SHA-256 and size of each baked credential image (a badge's PNG or SVG with a signed
    document in it) a build wrote, so a rebuild whose previous site holds that very file
    neither bakes it again nor digests and checks its bytes: baking was most of writing a
    rebuild's files (4,765 images at 10,000 entries).

    An entry is named by a digest WE compute (`key`: menteo's code and the baking libraries'
    versions, the kind of image, the image's bytes and the baked text), so a changed input can
    only miss. The one file is sealed (`menteo.sealed`) under a header that binds the leak
    check's needles (`PrivateMaterial.identity`): a stamp says its bytes passed that check, and
    under other keys the whole file is a miss. A damaged or foreign file is a miss too (every
    image is baked and checked again). It keeps only the entries of the last build."""

    def __init__(self, path: Path | None, identity: bytes) -> None:
        self.path = path
        self.header = BAKED_FORMAT + identity.hex().encode("ascii") + b"\n"
        self.entries = self._read()
        self.used: dict[str, tuple[str, int]] = {}

    @classmethod
    def for_build(cls, root: Path, identity: bytes) -> BakedCache:
        return cls(root / BAKED_CACHE, identity)

    @staticmethod
    def key(kind: str, image: str, payload: str) -> str:
        """What names the image `kind` (a baking function) bakes from the image with SHA-256
        `image` and `payload`."""
        hasher = hashlib.sha256(code_key(BAKED_FORMAT, _BAKING_LIBRARIES))
        for text in (kind, image, payload):
            part = text.encode("utf-8", "surrogatepass")
            hasher.update(b"%d:" % len(part) + part)
        return hasher.hexdigest()

    def _read(self) -> dict[str, tuple[str, int]]:
        try:
            stored = self.path.read_bytes() if self.path is not None else b""
        except OSError:
            return {}
        body = unseal(self.header, stored)
        try:
            found = json.loads(body) if body is not None else {}
        except ValueError:
            return {}
        if not isinstance(found, dict):
            return {}
        return {
            key: (value[0], value[1])
            for key, value in found.items()
            if isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and type(value[1]) is int
        }

    def get(self, key: str) -> tuple[str, int] | None:
        """The stamp of the image named `key` as a build baked it, if remembered."""
        found = self.entries.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str, stamp: tuple[str, int]) -> None:
        self.used[key] = stamp

    def save(self) -> None:
        """Keep this build's entries, atomically; nothing is written if they are the stored
        ones."""
        if self.path is None or self.used == self.entries:
            return
        body = json.dumps({k: list(v) for k, v in sorted(self.used.items())}).encode("utf-8")
        if not self.path.parent.is_dir():
            make_private_folder(self.path.parent)
        atomic_write(self.path, seal(self.header, body), durable=False)
