"""`keys/public.json`: the signed chain that decides which keys may sign for the community.

The file is committed, so a pull request can edit it. A flat list of keys would let anyone
publish their own key as the issuer's; a chain cannot be extended without the keys it already
names: every entry proves possession of its own Ed25519 and RSA keys (so nobody lists a key
they do not hold), and every entry after the first is endorsed by the previous entry's Ed25519
key (so only the holder of the current head adds the next). The first entry, the root, is
trusted as committed: its arrival is a maintainer-only change. See docs/credentials.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from menteo.atomic_output import atomic_write
from menteo.content.files import read_regular
from menteo.credentials.encoding import b64url_decode, b64url_encode, ed25519_from_multikey
from menteo.credentials.keys import (
    REGISTRY,
    RSA_BITS,
    Ed25519Entry,
    PublicKeys,
    RsaEntry,
    SigningKeys,
    read_flat_registry,
    rsa_thumbprint,
)
from menteo.errors import ContentError, Problem
from menteo.git import UsageError, repository

SIGNATURES = ("possession", "endorsement")
MAX_REGISTRY_BYTES = 4 * 2**20
"""A chain gains an entry per rotation (about 1 KB each): far below this, however long it runs."""
"""Members left out of an entry's canonical bytes: they are signatures over those bytes."""
MEMBERS = {"ed25519", "rsa", "since", "prev", "retired", *SIGNATURES}
_START_HINT = (
    "start a key chain with menteo keys migrate (the current keys) or menteo keys generate "
    "--force (new ones, replacing the current pair)"
)
DEVELOPMENT_HINT = (
    "run menteo keys generate --force for real keys, which replaces the development pair and "
    "starts the key chain, or set MENTEO_KEYS (a folder) or MENTEO_ED25519_KEY and "
    "MENTEO_RSA_KEY (PEM text) from your CI secrets"
)
CHAINED_DEVELOPMENT_HINT = (
    "this community already has a key chain: sign with its head's keys by setting MENTEO_KEYS "
    "(a folder) or MENTEO_ED25519_KEY and MENTEO_RSA_KEY (PEM text) from your CI secrets "
    "(menteo keys show names the head); generating new keys would start a new chain"
)
ROTATE_HINT = (
    "only the holder of the chain's head can add a key: run menteo keys rotate where the "
    "current keys are; if a pull request changed keys/public.json, do not merge it"
)


def canonical_bytes(entry: Mapping[str, Any]) -> bytes:
    """What an entry's signatures cover: the entry without its signature members, as JSON with
    sorted keys, no whitespace and UTF-8 text (no \\u escapes beyond what JSON requires)."""
    body = {k: v for k, v in entry.items() if k not in SIGNATURES}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(entry: Mapping[str, Any]) -> str:
    """The `prev` value an entry's successor carries."""
    return "sha256:" + hashlib.sha256(canonical_bytes(entry)).hexdigest()


def _rsa_sign(keys: SigningKeys, data: bytes) -> str:
    return b64url_encode(keys.rsa.sign(data, padding.PKCS1v15(), hashes.SHA256()))


def new_entry(
    keys: SigningKeys,
    since: str,
    previous: tuple[Mapping[str, Any], SigningKeys] | None = None,
    retired: PublicKeys | None = None,
) -> dict[str, Any]:
    """A chain entry for `keys`: the root when `previous` is None, else the entry after
    `previous` (its entry and its keys, which endorse the new one)."""
    entry: dict[str, Any] = {
        "ed25519": keys.ed25519_multikey,
        "rsa": {"kid": keys.rsa_kid, "publicKeyPem": keys.rsa_public_pem},
        "since": dt.date.fromisoformat(since).isoformat(),
    }
    if previous is not None:
        entry["prev"] = entry_digest(previous[0])
    if retired is not None and (retired.ed25519 or retired.rsa):
        entry["retired"] = retired.as_json()
    signed = canonical_bytes(entry)
    entry["possession"] = {
        "ed25519": b64url_encode(keys.ed25519.sign(signed)),
        "rsa": _rsa_sign(keys, signed),
    }
    if previous is not None:
        entry["endorsement"] = {"ed25519": b64url_encode(previous[1].ed25519.sign(signed))}
    return entry


@dataclass(frozen=True)
class KeyChain:
    """A chain that verified: its entries as read, oldest first, and the line each starts on."""

    entries: tuple[dict[str, Any], ...]
    lines: tuple[int, ...]

    @property
    def head(self) -> dict[str, Any]:
        return self.entries[-1]

    def holds(self, keys: SigningKeys) -> int | None:
        """The index of the entry naming exactly these keys, or None."""
        for index, entry in enumerate(self.entries):
            if entry["ed25519"] == keys.ed25519_multikey and entry["rsa"]["kid"] == keys.rsa_kid:
                return index
        return None

    def retired(self) -> PublicKeys:
        """Keys of the flat registry the chain replaced, listed (and signed) by its root."""
        return read_flat_registry(self.entries[0].get("retired", {}))

    def published(self) -> PublicKeys:
        """Every key credentials may verify against: the retired keys, then each entry's pair,
        oldest first."""
        old = self.retired()
        return PublicKeys(
            (*old.ed25519, *(Ed25519Entry(e["ed25519"], e["since"]) for e in self.entries)),
            (
                *old.rsa,
                *(
                    RsaEntry(e["rsa"]["kid"], e["rsa"]["publicKeyPem"], e["since"])
                    for e in self.entries
                ),
            ),
        )


def _problem(line: int, field: str, message: str, hint: str = ROTATE_HINT) -> Problem:
    return Problem(REGISTRY.as_posix(), line, field, message, hint)


def _entry_problems(
    entry: Any, index: int, line: int, previous: dict[str, Any] | None
) -> list[Problem]:
    """Everything wrong with one entry, in the order a reader would check it."""
    where = f"chain[{index}]"
    if not isinstance(entry, dict):
        return [_problem(line, where, "an entry must be an object")]
    unknown = sorted(set(entry) - MEMBERS)
    if unknown:
        return [_problem(line, where, f"unknown member(s): {', '.join(unknown)}")]
    try:
        ed_key = ed25519_from_multikey(entry["ed25519"])
        rsa_key = _rsa_key(entry["rsa"])
        if dt.date.fromisoformat(entry["since"]).isoformat() != entry["since"]:
            raise ValueError("since must be a date written YYYY-MM-DD")
        if index > 0 and "retired" in entry:
            raise ValueError("only the root entry may list retired keys")
        read_flat_registry(entry.get("retired", {}))
        ed_proof, rsa_proof = _signatures(entry["possession"], ("ed25519", "rsa"))
    except (KeyError, TypeError, ValueError, AttributeError, UnicodeError) as exc:
        message = f"missing member {exc}" if isinstance(exc, KeyError) else str(exc)
        return [_problem(line, where, f"malformed entry: {message}")]
    signed = canonical_bytes(entry)
    problems = []
    if previous is None and ("prev" in entry or "endorsement" in entry):
        problems.append(_problem(line, where, "the root entry has no prev and no endorsement"))
    if previous is not None:
        if entry.get("prev") != entry_digest(previous):
            problems.append(_problem(line, f"{where}.prev", "does not name the entry before"))
        if entry["since"] < previous["since"]:
            problems.append(_problem(line, f"{where}.since", "is before the entry before"))
        if not _endorsed(entry, previous, signed):
            problems.append(
                _problem(
                    line,
                    f"{where}.endorsement",
                    "is not a signature by the previous entry's Ed25519 key",
                )
            )
    try:
        ed_key.verify(ed_proof, signed)
    except InvalidSignature:
        problems.append(
            _problem(line, f"{where}.possession.ed25519", "is not a signature by this key")
        )
    try:
        rsa_key.verify(rsa_proof, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        problems.append(_problem(line, f"{where}.possession.rsa", "is not a signature by this key"))
    return problems


def _rsa_key(rsa: dict[str, Any]) -> RSAPublicKey:
    key = serialization.load_pem_public_key(rsa["publicKeyPem"].encode("ascii"))
    if not isinstance(key, RSAPublicKey) or key.key_size < RSA_BITS:
        raise ValueError(f"publicKeyPem must be an RSA key of at least {RSA_BITS} bits")
    if set(rsa) != {"kid", "publicKeyPem"} or rsa_thumbprint(key) != rsa["kid"]:
        raise ValueError("rsa must be {kid, publicKeyPem} with kid its RFC 7638 thumbprint")
    return key


def _signatures(member: dict[str, str], names: tuple[str, ...]) -> list[bytes]:
    """The signatures of a possession or endorsement member, which must hold exactly `names`:
    signature members are outside the signed bytes, so nothing else may hide in them."""
    if set(member) != set(names):
        raise ValueError(f"expected exactly {', '.join(names)} signatures")
    return [b64url_decode(member[name]) for name in names]


def _endorsed(entry: dict[str, Any], previous: dict[str, Any], signed: bytes) -> bool:
    try:
        [signature] = _signatures(entry["endorsement"], ("ed25519",))
        ed25519_from_multikey(previous["ed25519"]).verify(signature, signed)
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return False
    return True


def verify_chain(entries: list[Any], lines: list[int]) -> KeyChain:
    """The chain, if every entry holds; else a ContentError naming each bad entry's line. An
    entry after a bad one is not judged: what it chains to is already untrusted."""
    if not entries:
        raise ContentError([_problem(1, "chain", "the chain is empty", _START_HINT)])
    seen: set[str] = set()
    for index, (entry, line) in enumerate(zip(entries, lines, strict=True)):
        previous = entries[index - 1] if index else None
        problems = _entry_problems(entry, index, line, previous)
        if not problems:
            ids = {entry["ed25519"], entry["rsa"]["kid"]}
            if ids & seen:
                problems = [_problem(line, f"chain[{index}]", "repeats a key of an earlier entry")]
            seen |= ids
        if problems:
            raise ContentError(problems)
    return KeyChain(tuple(entries), tuple(lines))


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _chain_items(text: str) -> tuple[dict[str, Any], list[Any], list[int]]:
    """The top-level object, the chain's items and the line each item starts on (JSON's own
    parser, stepped through the chain array to learn where each item is)."""
    decoder = json.JSONDecoder()
    document = decoder.decode(text)
    if not isinstance(document, dict) or not isinstance(document.get("chain"), list):
        return document, [], []
    items: list[Any] = []
    offsets: list[int] = []
    index = _skip_space(text, 0) + 1
    while True:
        index = _skip_space(text, index)
        key, index = decoder.raw_decode(text, index)
        index = _skip_space(text, _skip_space(text, index) + 1)  # past ':'
        if key == "chain":
            items, offsets, index = [], [], _skip_space(text, index + 1)
            while text[index] != "]":
                offsets.append(index)
                item, index = decoder.raw_decode(text, index)
                items.append(item)
                index = _skip_space(text, index)
                index = _skip_space(text, index + 1) if text[index] == "," else index
            index += 1
        else:
            _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        if text[index] == "}":
            break
        index += 1
    return document, items, [text.count("\n", 0, offset) + 1 for offset in offsets]


def read_key_chain(root: Path) -> KeyChain | None:
    """The community's verified key chain; None when it has none; a ContentError (with the
    line of the offending entry) when the file is not a chain that verifies."""
    path = root / REGISTRY
    if not (path.exists() or path.is_symlink()):
        return None
    data = read_regular(path, REGISTRY.as_posix(), MAX_REGISTRY_BYTES, "restore it from git")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError([_problem(0, "", f"not valid UTF-8 (byte {exc.start})", "")]) from None
    try:
        document, items, lines = _chain_items(text)
    except json.JSONDecodeError as exc:
        raise ContentError([_problem(exc.lineno, "", f"not JSON: {exc.msg}", "")]) from None
    except RecursionError:
        raise ContentError([_problem(1, "", "nested too deeply to be a key chain", "")]) from None
    if isinstance(document, dict) and {"ed25519", "rsa"} & set(document):
        raise ContentError(
            [
                _problem(
                    1,
                    "",
                    "this is the old flat key list, which anyone could append a key to",
                    "run menteo keys migrate where the current keys are; it keeps these keys "
                    "published",
                )
            ]
        )
    if (
        not isinstance(document, dict)
        or set(document) != {"chain"}
        or not isinstance(document["chain"], list)
    ):
        raise ContentError(
            [_problem(1, "", 'expected {"chain": [entries, oldest first]}', _START_HINT)]
        )
    return verify_chain(items, lines)


def _entries_at(root: Path, revision: str) -> list[Any]:
    """The chain's entries in `revision` (trusted: the branch a pull request goes into); none
    when the file was absent or not a chain there."""
    try:
        repo = repository(root)
        shown = repo.run("show", f"{repo.commit(revision)}:./{REGISTRY.as_posix()}")
    except UsageError as exc:
        raise ContentError([_problem(0, "", str(exc), "")]) from None
    try:
        document = json.loads(shown.stdout) if shown.returncode == 0 else {}
    except (ValueError, RecursionError):
        document = {}
    entries = document.get("chain") if isinstance(document, dict) else None
    return entries if isinstance(entries, list) else []


def check_key_chain(root: Path, against: str | None = None) -> KeyChain | None:
    """`read_key_chain`; with `against` (the revision a pull request goes into), also that the
    chain only appends to the one there: a new or changed root, or any changed entry, decides
    who may sign, which no pull request may do (`check` holds no keys to notice otherwise)."""
    chain = read_key_chain(root)
    if against is None:
        return chain
    before, now = _entries_at(root, against), list(chain.entries) if chain else []
    if now[: len(before)] == before and (before or not now):
        return chain
    changed = next(
        (i for i, (old, new) in enumerate(zip(before, now, strict=False)) if old != new),
        min(len(before), len(now)),
    )
    line = chain.lines[changed] if chain and changed < len(chain.lines) else 1
    message = (
        f"changes the key chain of {against}: entries may only be appended"
        if before
        else f"adds a key chain root, which {against} does not have"
    )
    hint = (
        "who may sign is decided by the chain's root and entries: only maintainers change "
        "them; if a pull request did this, do not merge it"
    )
    raise ContentError([_problem(line, f"chain[{changed}]", message, hint)])


def write_key_chain(root: Path, entries: list[dict[str, Any]]) -> None:
    path = root / REGISTRY
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"chain": entries}, indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text.encode("utf-8"), mode=0o644)


def publishable_keys(
    chain: KeyChain | None, keys: SigningKeys, strict: bool
) -> tuple[PublicKeys, list[Problem]]:
    """What a build publishes as the issuer's keys, and its warnings. Configured keys must be
    the chain's head; a build without a chain, or with a development pair, is a development
    build (warned; refused when `strict`). Only a verified chain and the signing keys
    themselves are ever published."""
    head = len(chain.entries) - 1 if chain else None
    if chain is not None and not keys.development and chain.holds(keys) != head:
        assert head is not None
        earlier = chain.holds(keys) is not None
        raise ContentError(
            [
                _problem(
                    chain.lines[head],
                    f"chain[{head}]",
                    f"the signing keys from {keys.source} are "
                    + ("an earlier entry of" if earlier else "not in")
                    + " the key chain, whose head is the only key allowed to sign",
                    "sign with the head's keys, or run menteo keys rotate where they are; if a "
                    "pull request changed keys/public.json, do not merge it",
                )
            ]
        )
    published = chain.published() if chain else PublicKeys()
    if chain is not None and not keys.development:
        return published, []
    if keys.development:
        where, hint, why = (
            keys.source,
            DEVELOPMENT_HINT if chain is None else CHAINED_DEVELOPMENT_HINT,
            (
                "credentials are signed with a DEVELOPMENT key made on this machine; they verify, "
                "but only until the key is lost, and nobody else's build can reproduce them"
            ),
        )
    else:
        where, hint, why = (
            REGISTRY.as_posix(),
            _START_HINT,
            (
                f"there is no key chain, so nothing says the keys from {keys.source} may sign for "
                "this community: this is a DEVELOPMENT build"
            ),
        )
    if strict:
        raise ContentError(
            [Problem(where, 0, "", f"--strict refuses a development build: {why}", hint)]
        )
    warning = Problem(where, 0, "", why, hint + "; deploy with menteo build --strict")
    return published, [warning]
