"""Pull requests are untrusted: nothing in one may change who can sign, nor plant keys or caches,
nor make the build publish a private key.

Each attack goes through the real `menteo` command on a copy of the mini community, with the
community's keys outside the repository (as CI secrets would be) and an attacker who holds a
key pair of their own but not the community's.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization

from menteo.cli import main
from menteo.credentials.encoding import b58encode, b64url_encode
from menteo.credentials.key_chain import entry_digest, new_entry, write_key_chain
from menteo.credentials.keys import SigningKeys, generate_keys, read_key_directory, write_keys
from menteo.credentials.leaks import private_material

MINI = Path(__file__).parent / "fixtures" / "mini"
KEY_ENV = ("MENTEO_KEYS", "MENTEO_ED25519_KEY", "MENTEO_RSA_KEY")
NO_KEYS: dict[str, str | None] = dict.fromkeys(KEY_ENV)
THREAD = "content/threads/ana-lukasiewicz--jonas-berg"
GIT = shutil.which("git")


@dataclass(frozen=True)
class Pair:
    folder: Path
    keys: SigningKeys

    @property
    def env(self) -> dict[str, str | None]:
        return {**NO_KEYS, "MENTEO_KEYS": str(self.folder)}


def _pair(folder: Path) -> Pair:
    write_keys(folder, generate_keys(str(folder)))
    return Pair(folder, read_key_directory(folder))


@pytest.fixture(scope="module")
def owner(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """The community's keys, kept outside the repository (a CI secret)."""
    return _pair(tmp_path_factory.mktemp("owner") / "keys")


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return _pair(tmp_path_factory.mktemp("attacker") / "keys")


@pytest.fixture
def community(tmp_path: Path, owner: Pair) -> Path:
    """The mini community with a key chain rooted at the owner's keys."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    write_key_chain(root, [new_entry(owner.keys, "2025-01-01")])
    return root


def run(*args: str, env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def build(root: Path, env: dict[str, str | None], *extra: str) -> tuple[Result, Path]:
    out = root.parent / "site"
    return run("build", str(root), "--out", str(out), *extra, env=env), out


def _chain(root: Path) -> list[dict[str, Any]]:
    return json.loads((root / "keys/public.json").read_text(encoding="utf-8"))["chain"]


def _line_of(root: Path, index: int) -> int:
    """The line the chain's entry `index` starts on, as written by `write_key_chain`."""
    lines = (root / "keys/public.json").read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line == "    {"]
    return starts[index]


def _site_keys(site: Path) -> set[str]:
    did = json.loads((site / "did.json").read_text(encoding="utf-8"))
    issuer = json.loads((site / "ob2/issuer.json").read_text(encoding="utf-8"))
    methods = did["verificationMethod"]
    return (
        {m["publicKeyMultibase"] for m in methods if m["type"] == "Multikey"}
        # the RSA keys' thumbprints, as did.json lists them (JsonWebKey) and as OB 2.0 does
        | {m["id"].split("#")[1] for m in methods if m["type"] == "JsonWebKey"}
        | {url.rsplit("/", 1)[1].removesuffix(".json") for url in issuer["publicKey"]}
    )


def _refused_everywhere(
    root: Path, owner: Pair, line: int, message: str
) -> tuple[Result, Result, Path]:
    checked = run("check", str(root), env=owner.env)
    built, out = build(root, owner.env, "--strict")
    for result in (checked, built):
        assert result.exit_code == 1, result.output
        assert f"keys/public.json:{line}: " in result.output
        assert message in result.output
    assert not out.exists()
    return checked, built, out


# ------------------------------------------------------------------ the key chain


def test_the_owners_chain_builds_strict_and_publishes_only_its_keys(
    community: Path, owner: Pair
) -> None:
    assert run("check", str(community), env=owner.env).exit_code == 0
    result, out = build(community, owner.env, "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert _site_keys(out) == {owner.keys.ed25519_multikey, owner.keys.rsa_kid}


def _append_attacker(root: Path, owner: Pair, attacker: Pair, endorse: str) -> None:
    chain = _chain(root)
    entry = new_entry(attacker.keys, "2025-02-01", (chain[-1], attacker.keys))
    if endorse == "absent":
        del entry["endorsement"]
    elif endorse == "copied":  # a real signature by the owner, but over other bytes
        entry["endorsement"] = {"ed25519": chain[0]["possession"]["ed25519"]}
    write_key_chain(root, [*chain, entry])


@pytest.mark.parametrize("endorse", ["forged", "absent", "copied"])
def test_an_appended_attacker_key_is_refused_at_its_line(
    community: Path, owner: Pair, attacker: Pair, endorse: str
) -> None:
    """The attack on the old flat list: add your own key and sign credentials that verify
    against the community's site. Now the entry needs the head's endorsement."""
    _append_attacker(community, owner, attacker, endorse)
    _refused_everywhere(
        community,
        owner,
        _line_of(community, 1),
        "chain[1].endorsement: is not a signature by the previous entry's Ed25519 key",
    )


def test_an_appended_key_is_refused_even_with_the_attackers_keys_configured(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    _append_attacker(community, owner, attacker, "forged")
    result, out = build(community, attacker.env)
    assert result.exit_code == 1
    assert f"keys/public.json:{_line_of(community, 1)}: chain[1].endorsement" in result.output
    assert not out.exists()


def test_a_key_in_the_old_flat_list_is_refused(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    flat = {
        "ed25519": [
            {"publicKeyMultibase": k.ed25519_multikey, "since": "2025-01-01"}
            for k in (owner.keys, attacker.keys)
        ],
        "rsa": [
            {"kid": k.rsa_kid, "publicKeyPem": k.rsa_public_pem, "since": "2025-01-01"}
            for k in (owner.keys, attacker.keys)
        ],
    }
    (community / "keys/public.json").write_text(json.dumps(flat), encoding="utf-8")
    _, built, _ = _refused_everywhere(community, owner, 1, "old flat key list")
    assert "menteo keys migrate" in built.output


def test_a_rewritten_chain_whose_head_is_not_the_configured_key(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    """A chain the attacker made from scratch verifies on its own (its root is trusted as
    committed, which is a maintainer's change): the build, holding the real keys, refuses it."""
    root = new_entry(attacker.keys, "2025-01-01")
    write_key_chain(community, [root])
    result, out = build(community, owner.env, "--strict")
    assert result.exit_code == 1
    assert f"keys/public.json:{_line_of(community, 0)}: chain[0]: the signing keys from " in (
        result.output
    )
    assert "are not in the key chain" in result.output
    assert not out.exists()


def _git(root: Path, *args: str) -> None:
    assert GIT is not None
    subprocess.run(
        [GIT, "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _pull_request(root: Path, change: Any) -> Result:
    """Commit the community as the base branch, apply `change` as a pull request would, and
    run `menteo check --against` the base."""
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    change()
    return run("check", str(root), "--against", "HEAD", env=NO_KEYS)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_check_against_the_base_refuses_a_replaced_chain(community: Path, attacker: Pair) -> None:
    """`check` holds no keys, so a self-consistent chain of the attacker's own passes it alone;
    against the branch the pull request goes into, it does not."""
    replaced = [new_entry(attacker.keys, "2025-01-01")]
    result = _pull_request(community, lambda: write_key_chain(community, replaced))
    assert run("check", str(community), env=NO_KEYS).exit_code == 0
    assert result.exit_code == 1, result.output
    assert "keys/public.json:3: chain[0]: changes the key chain of HEAD: entries may only be" in (
        result.output
    )


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_check_against_the_base_refuses_a_new_root(community: Path, attacker: Pair) -> None:
    (community / "keys/public.json").unlink()
    added = [new_entry(attacker.keys, "2025-01-01")]
    result = _pull_request(community, lambda: write_key_chain(community, added))
    assert result.exit_code == 1, result.output
    assert "keys/public.json:3: chain[0]: adds a key chain root, which HEAD does not have" in (
        result.output
    )


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_check_against_the_base_accepts_an_endorsed_rotation(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    chain = _chain(community)
    rotated = [*chain, new_entry(attacker.keys, "2025-03-01", (chain[0], owner.keys))]
    result = _pull_request(community, lambda: write_key_chain(community, rotated))
    assert result.exit_code == 0, result.output


def test_signing_with_a_retired_key_is_refused(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    chain = _chain(community)
    write_key_chain(
        community, [*chain, new_entry(attacker.keys, "2025-03-01", (chain[0], owner.keys))]
    )
    result, _ = build(community, owner.env)
    assert result.exit_code == 1
    assert f"keys/public.json:{_line_of(community, 1)}: chain[1]: " in result.output
    assert "an earlier entry of the key chain" in result.output and "menteo keys rotate" in (
        result.output
    )


def test_listing_a_key_the_attacker_does_not_hold(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    """Possession: an entry lists only keys whose private halves signed it. The root's RSA key
    swapped for one that did not sign the entry (whoever holds it) is refused."""
    [root] = _chain(community)
    root["rsa"] = {"kid": attacker.keys.rsa_kid, "publicKeyPem": attacker.keys.rsa_public_pem}
    write_key_chain(community, [root])
    _refused_everywhere(
        community, owner, 3, "chain[0].possession.rsa: is not a signature by this key"
    )


def test_an_entry_that_claims_the_owners_key_without_it(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    """The attacker lists a key they do not hold, signing possession with their own."""
    chain = _chain(community)
    entry = new_entry(attacker.keys, "2025-02-01", (chain[-1], attacker.keys))
    entry["ed25519"] = owner.keys.ed25519_multikey
    entry["endorsement"] = {"ed25519": "A" * 86}
    write_key_chain(community, [*chain, entry])
    _, built, _ = _refused_everywhere(community, owner, _line_of(community, 1), "chain[1]")
    assert "possession.ed25519: is not a signature by this key" in built.output


def test_an_edited_root_is_refused_and_nothing_after_it_is_judged(
    community: Path, owner: Pair, attacker: Pair
) -> None:
    chain = _chain(community)
    entry = new_entry(attacker.keys, "2025-02-01", (chain[-1], owner.keys))
    assert entry["prev"] == entry_digest(chain[0])
    write_key_chain(community, [{**chain[0], "since": "2024-12-31"}, entry])
    _, built, _ = _refused_everywhere(community, owner, 3, "chain[0].possession")
    assert "chain[1]" not in built.output  # judged no further: what it chains to is untrusted


def test_rotation_keeps_old_credentials_verifiable(tmp_path: Path, owner: Pair) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    keys = tmp_path / "secrets"
    shutil.copytree(owner.folder, keys)
    env = {**NO_KEYS, "MENTEO_KEYS": str(keys)}
    assert run("keys", "migrate", str(root), env=env).exit_code == 0
    before, after = tmp_path / "before", tmp_path / "after"
    assert run("build", str(root), "--strict", "--out", str(before), env=env).exit_code == 0
    rotated = run("keys", "rotate", str(root), env=env)
    assert rotated.exit_code == 0, rotated.output
    new = read_key_directory(keys)
    assert run("check", str(root), env=env).exit_code == 0
    built = run("build", str(root), "--strict", "--out", str(after), env=env)
    assert built.exit_code == 0, built.output
    assert _site_keys(after) == {
        owner.keys.ed25519_multikey,
        owner.keys.rsa_kid,
        new.ed25519_multikey,
        new.rsa_kid,
    }
    # Recipients' copies from before the rotation, in the new site, still verify.
    for old in before.glob("ob[23]/*/*"):
        if old.parent.name in ("credentials", "assertions"):
            shutil.copyfile(old, after / old.relative_to(before))
    verified = run("verify", str(after), env=env)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.endswith("5 valid, 2 revoked, 0 failed.\n")
    # The old keys may no longer sign.
    assert run("build", str(root), "--out", str(tmp_path / "x"), env=owner.env).exit_code == 1


# ------------------------------------------------------------------ keys and caches in .menteo


def _menteo_link(root: Path, target: Path, which: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if which == ".menteo":
        (root / ".menteo").symlink_to(target, target_is_directory=True)
    else:
        (root / ".menteo").mkdir()
        (root / ".menteo/keys").symlink_to(target, target_is_directory=True)


@pytest.mark.parametrize("which", [".menteo", ".menteo/keys"])
def test_a_menteo_symlink_never_receives_keys(community: Path, which: str) -> None:
    """A committed symlink would make a key-less build write its development pair into a
    folder that is published (here the theme's static files)."""
    published = community / "themes/default/static"
    _menteo_link(community, published, which)
    result, out = build(community, NO_KEYS)
    assert result.exit_code == 1, result.output
    assert "is a symbolic link" in result.output
    assert list(published.iterdir()) == []
    assert not out.exists()


def test_a_symlinked_key_file_is_refused(community: Path, owner: Pair) -> None:
    (community / ".menteo/keys").mkdir(parents=True)
    for name in ("ed25519.pem", "rsa.pem"):
        (community / ".menteo/keys" / name).symlink_to(owner.folder / name)
    result, out = build(community, NO_KEYS, "--strict")
    assert result.exit_code == 1
    assert f"{community / '.menteo/keys/ed25519.pem'} is a symbolic link" in result.output
    assert not out.exists()


def test_a_symlinked_cache_is_refused_with_keys_in_the_environment(
    community: Path, owner: Pair, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (community / ".menteo").mkdir()
    (community / ".menteo/cache").symlink_to(elsewhere, target_is_directory=True)
    result, _ = build(community, owner.env)
    assert result.exit_code == 1
    assert "cache is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def _commit(root: Path, *paths: str) -> None:
    """A repository whose one commit, as a pull request's would, tracks `paths` (even ignored)."""
    _git(root, "init", "-q")
    _git(root, "add", "-A", "-f", "--", *paths)
    _git(root, "commit", "-q", "-m", "pr")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_tracked_keys_in_menteo_are_refused(community: Path, attacker: Pair) -> None:
    """A pull request that commits its own pair to .menteo/keys would sign the site with it."""
    shutil.copytree(attacker.folder, community / ".menteo/keys")
    _commit(community, ".")
    for extra in ((), ("--strict",)):
        result, out = build(community, NO_KEYS, *extra)
        assert result.exit_code == 1, result.output
        assert ".menteo/ holds files tracked by git (.menteo/keys/ed25519.pem" in result.output
        assert not out.exists()


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_tracked_cached_image_is_refused(community: Path, owner: Pair) -> None:
    """A committed cache entry would become the published and baked badge image."""
    result, out = build(community, owner.env)
    assert result.exit_code == 0, result.output
    cached = sorted((community / ".menteo/cache/images").iterdir())
    assert cached
    cached[0].write_bytes(b"\x89PNG\r\n\x1a\n" + b"attacker's picture")
    _commit(community, f".menteo/cache/images/{cached[0].name}")
    shutil.rmtree(out)
    result, out = build(community, owner.env)
    assert result.exit_code == 1
    assert "tracked by git (.menteo/cache/images/" in result.output
    assert not out.exists()


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_repository_planted_below_cannot_hide_tracked_files(
    community: Path, attacker: Pair
) -> None:
    """Git is asked from the community's root only: GIT_DIR pointing at an empty repository
    does not make the tracked keys disappear."""
    shutil.copytree(attacker.folder, community / ".menteo/keys")
    _commit(community, ".")
    decoy = community / "notes"
    decoy.mkdir()
    _git(decoy, "init", "-q")
    env = {**NO_KEYS, "GIT_DIR": str(decoy / ".git"), "GIT_WORK_TREE": str(community)}
    result, _ = build(community, env)
    assert result.exit_code == 1
    assert "tracked by git" in result.output


@pytest.mark.parametrize("place", ["content/keys", "themes/keys", "keys/private", "."])
def test_menteo_keys_inside_a_published_folder_is_refused(
    community: Path, owner: Pair, place: str
) -> None:
    folder = community / place
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ed25519.pem", "rsa.pem"):
        shutil.copyfile(owner.folder / name, folder / name)
    result, out = build(community, {**NO_KEYS, "MENTEO_KEYS": str(folder)})
    assert result.exit_code == 1, result.output
    assert f"{folder}: the key folder is the community or inside one of its folders" in (
        result.output
    )
    assert not out.exists()


def test_menteo_keys_inside_the_site_is_refused(community: Path, owner: Pair) -> None:
    first, out = build(community, owner.env)
    assert first.exit_code == 0
    folder = out / "keys"
    shutil.copytree(owner.folder, folder)
    result, _ = build(community, {**NO_KEYS, "MENTEO_KEYS": str(folder)})
    assert result.exit_code == 1, result.output
    assert f"{folder}: the key folder is inside the site being built" in result.output


def test_menteo_keys_in_an_untracked_private_folder_is_fine(community: Path, owner: Pair) -> None:
    folder = community / ".secrets"
    shutil.copytree(owner.folder, folder)
    result, _ = build(community, {**NO_KEYS, "MENTEO_KEYS": str(folder)}, "--strict")
    assert result.exit_code == 0, result.output


def test_strict_refuses_an_existing_development_pair(community: Path) -> None:
    (community / "keys/public.json").unlink()
    first, out = build(community, NO_KEYS)
    assert first.exit_code == 0, first.output
    assert "DEVELOPMENT key" in first.stderr
    shutil.rmtree(out)
    strict, out = build(community, NO_KEYS, "--strict")
    assert strict.exit_code == 1
    assert "--strict refuses a development build" in strict.output
    assert not out.exists()


def test_strict_refuses_keys_without_a_chain(community: Path, owner: Pair) -> None:
    (community / "keys/public.json").unlink()
    loose, out = build(community, owner.env)
    assert loose.exit_code == 0
    assert "Warning: keys/public.json: there is no key chain" in loose.stderr
    assert _site_keys(out) == {owner.keys.ed25519_multikey, owner.keys.rsa_kid}
    strict, _ = build(community, owner.env, "--strict")
    assert strict.exit_code == 1 and "menteo keys migrate" in strict.output


def test_cache_and_key_folders_are_owner_only(community: Path) -> None:
    (community / "keys/public.json").unlink()
    assert build(community, NO_KEYS)[0].exit_code == 0
    for folder in (".menteo", ".menteo/keys", ".menteo/cache", ".menteo/cache/images"):
        assert (community / folder).stat().st_mode & 0o777 == 0o700, folder


# ------------------------------------------------------------------ private material in output


def _pem(key: Any, form: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8) -> str:
    return key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption()).decode(
        "ascii"
    )


def _body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def _spellings(keys: SigningKeys) -> dict[str, str]:
    seed = keys.ed25519.private_bytes_raw()
    numbers = keys.rsa.private_numbers()
    rsa_pem = _pem(keys.rsa)
    traditional = _pem(keys.rsa, serialization.PrivateFormat.TraditionalOpenSSL)

    def unsigned(value: int) -> bytes:
        return value.to_bytes((value.bit_length() + 7) // 8, "big")

    return {
        "rsa pem": rsa_pem,
        "rsa pem body line": rsa_pem.splitlines()[10],
        "rsa pem as one line": _body(rsa_pem),
        "rsa pem wrapped at 76": "\n".join(textwrap.wrap(_body(rsa_pem), 76)),
        "rsa pem wrapped at 60": "\n".join(textwrap.wrap(_body(rsa_pem), 60)),
        "rsa traditional body": "\n".join(traditional.splitlines()[5:8]),
        "jwk d": json.dumps({"d": b64url_encode(unsigned(numbers.d))}),
        "jwk p": b64url_encode(unsigned(numbers.p)),
        "jwk q": b64url_encode(unsigned(numbers.q)),
        "d hex": unsigned(numbers.d).hex(),
        "ed25519 pem body": _body(_pem(keys.ed25519)),
        "seed hex": seed.hex(),
        "seed HEX": seed.hex().upper(),
        "seed base64": base64.b64encode(seed).decode(),
        "seed base64url": b64url_encode(seed),
        "seed base58": b58encode(seed),
        "seed multibase": "z" + b58encode(b"\x80\x26" + seed),
        "armour of any key": "-----BEGIN RSA PRIVATE KEY-----",
    }


def test_every_usual_spelling_of_private_material_is_found(owner: Pair) -> None:
    material = private_material(owner.keys)
    for name, spelling in _spellings(owner.keys).items():
        page = f"<html><p>{spelling}</p></html>"
        assert material.leaked_in_text(page), name
        assert material.leaked_in(page.encode("ascii")), name
    seed = owner.keys.ed25519.private_bytes_raw()
    assert material.leaked_in(b"\x89PNG...iTXt" + seed + b"...")


def test_public_material_is_not_mistaken_for_private(owner: Pair, attacker: Pair) -> None:
    material = private_material(owner.keys)
    keys = owner.keys
    public = [
        keys.rsa_public_pem,
        json.dumps(keys.rsa_public_pem),
        json.dumps(keys.rsa_jwk),
        keys.ed25519_multikey,
        keys.ed25519.public_key().public_bytes_raw().hex(),
    ]
    others = [
        t for n, t in _spellings(attacker.keys).items() if "pem" not in n and "armour" not in n
    ]
    for text in public + others:  # another key's secrets are not ours either
        assert not material.leaked_in_text(text), text
        assert not material.leaked_in(text.encode("ascii")), text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_printing_the_key_is_not_published(
    community: Path, owner: Pair, tmp_path: Path, jobs: str
) -> None:
    """Simulates a template that printed the key (nothing in the sandbox lets a template read
    one): an entry carries the key's PEM body, rendered by the page workers."""
    entry = community / THREAD / "2025-03-04-kickoff.md"
    body = "\n".join(owner.keys.rsa_public_pem.splitlines()[1:2])  # public: fine
    leaked = _pem(owner.keys.rsa).splitlines()[12]
    entry.write_text(entry.read_text() + f"\n{body}\n\n{leaked}\n", encoding="utf-8")
    result, out = build(community, owner.env, "--strict", "--jobs", jobs)
    assert result.exit_code == 1, result.output
    assert "contains the signing keys' private material" in result.output
    assert "threads/ana-lukasiewicz--jonas-berg" in result.output
    assert leaked not in result.output
    assert not out.exists()


def test_a_generated_file_carrying_the_key_is_not_published(community: Path, owner: Pair) -> None:
    """A badge's own artwork is published as it is: one carrying the key stops the build, an
    earlier site stays as it was."""
    first, out = build(community, owner.env, "--strict")
    assert first.exit_code == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (community / "badges/images").mkdir()
    seed = owner.keys.ed25519.private_bytes_raw().hex()
    (community / "badges/images/guide.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        f"<desc>{seed}</desc><circle cx='5' cy='5' r='4'/></svg>",
        encoding="utf-8",
    )
    guide = community / "badges/guide.yaml"
    guide.write_text(guide.read_text() + "image: guide.svg\n", encoding="utf-8")
    result, out = build(community, owner.env, "--strict")
    assert result.exit_code == 1, result.output
    assert "badges/images/guide.svg: this output file contains the signing keys'" in (result.output)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not any(seed in p.read_text(errors="ignore") for p in out.rglob("*.svg"))


def test_award_does_not_take_its_lock_through_a_menteo_symlink(
    community: Path, tmp_path: Path
) -> None:
    """`menteo award` writes its lock file under `.menteo/`: a committed link must not send it
    elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    _menteo_link(community, elsewhere, ".menteo")
    result = run("award", str(community), env=NO_KEYS)
    assert result.exit_code == 1, result.output
    assert "is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []
