"""The issue stage: from the ledger's awards and the signing keys to every file a verifier
needs, as (site-relative path → bytes). Pure given (community, ledger, keys): no clock, no
network, deterministic signatures, so the same inputs give the same bytes.

Per award to a consenting recipient: the OB 2.0 hosted assertion and its baked PNG, the signed
assertion (JWS) and its baked PNG and SVG;
the OB 3.0 credential with a Data Integrity proof, its VC-JWT, baked PNG and SVG.
Per badge: its image (community artwork or generated) as SVG and PNG, its BadgeClass and its
OB 3.0 Achievement. Once: issuer profiles, keys, revocation list, status list credential (Data
Integrity and VC-JWT) and
`did.json`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from menteo.content.community import CommunityData
from menteo.content.publication import Urls
from menteo.credentials import baking, images, ob2, ob3
from menteo.credentials.cache import BakedCache, DocumentCache, ImageCache, SignatureCache
from menteo.credentials.did import did_document, did_document_path, did_web, rsa_method
from menteo.credentials.encoding import b58decode
from menteo.credentials.facts import AwardFacts, Issuer, award_facts, badge_facts, issuer_facts
from menteo.credentials.keys import PublicKeys, SigningKeys, rsa_public_jwk
from menteo.credentials.parallel import sign_all
from menteo.credentials.proofs import proof_options, sign_data_integrity, sign_jws, verify_jws
from menteo.errors import ContentError, Problem
from menteo.ledger.records import Ledger

BADGE_PNG_SIZE = 512
DI = "eddsa-rdfc-2022"


def dumps(document: dict[str, Any]) -> bytes:
    """The one serialisation of every published JSON document (what is signed is what is
    served, byte for byte)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def compact(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class IssuedAward:
    """What the award's verification page links to (site-relative paths)."""

    facts: AwardFacts
    ob2_json: str
    ob2_jws: str
    ob2_png: str
    ob2_svg: str
    ob2_hosted_png: str
    """Baked with the hosted assertion (the others with the signed one)."""
    ob3_json: str
    ob3_jwt: str
    ob3_png: str
    ob3_svg: str


class IssuedFiles(Mapping[str, bytes]):
    """Site-relative path → bytes of every credential file. An award's baked images are baked
    when read, not kept: each is a copy of its badge's PNG (or SVG) with a document in it, most
    of the issue stage's bytes (47 of 61 MiB at 10,000 entries), and the build held them all
    from issuing until it wrote them at its end. Each is named by a `BakedCache` key, so that
    a rebuild need not bake one its previous site holds."""

    def __init__(self) -> None:
        self._files: dict[str, bytes | Callable[[], bytes]] = {}
        self._keys: dict[str, str] = {}

    def add(self, path: str, data: bytes | str) -> None:
        self._files[path] = data.encode("utf-8") if isinstance(data, str) else data

    def bake(
        self,
        path: str,
        bake: Callable[[Any, str], bytes | str],
        image: bytes | str,
        payload: str,
    ) -> None:
        """`path` holds `bake(image, payload)` (as UTF-8 if text), made each time it is read."""
        self._files[path] = functools.partial(_baked, bake, image, payload)
        self._keys[path] = BakedCache.key(bake.__qualname__, _sha256(image), payload)

    def baked_key(self, path: str) -> str | None:
        """The `BakedCache` key of the baked image at `path`; None for any other file."""
        return self._keys.get(path)

    def __getitem__(self, path: str) -> bytes:
        found = self._files[path]
        return found if isinstance(found, bytes) else found()

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def _baked(bake: Callable[[Any, str], bytes | str], image: bytes | str, payload: str) -> bytes:
    baked = bake(image, payload)
    return baked.encode("utf-8") if isinstance(baked, str) else baked


@functools.lru_cache(maxsize=64)
def _sha256(image: bytes | str) -> str:
    """An image's digest, once per badge (every award of a badge bakes the same image)."""
    data = image.encode("utf-8") if isinstance(image, str) else image
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Issued:
    files: IssuedFiles
    """Site-relative path → bytes."""
    awards: list[IssuedAward]
    issuer: Issuer
    badge_svgs: dict[str, str]
    """Each badge's SVG, for pictures drawn around it (the site's share cards)."""


@dataclass(frozen=True)
class AwardDocuments:
    """The texts of one award that carry its signatures; its images are baked from them."""

    hosted: str
    """The OB 2.0 hosted assertion (JSON)."""
    jws: str
    """The OB 2.0 signed assertion."""
    credential: str
    """The OB 3.0 credential with its Data Integrity proof (JSON)."""
    jwt: str
    """The OB 3.0 credential as a VC-JWT."""

    @classmethod
    def remembered(cls, found: tuple[str, ...] | None) -> AwardDocuments | None:
        return cls(*found) if found is not None and len(found) == 4 else None

    def texts(self) -> tuple[str, ...]:
        return dataclasses.astuple(self)


class _Issuer:
    def __init__(
        self,
        community: CommunityData,
        ledger: Ledger,
        urls: Urls,
        keys: SigningKeys,
        registry: PublicKeys,
        cache: SignatureCache,
        image_cache: ImageCache,
    ) -> None:
        self.c = community
        self.ledger = ledger
        self.urls = urls
        self.keys = keys
        self.registry = registry
        self.base = community.config.base_url
        self.did = did_web(self.base)
        self.issuer = issuer_facts(community, self.did)
        self.ob2 = ob2.Ob2Paths(self.base)
        self.ob3 = ob3.Ob3Paths(self.base)
        self.vm = f"{self.did}#{keys.ed25519_multikey}"
        self.rsa_kid = keys.rsa_kid
        self.public_identity = (self.vm, self.rsa_kid, keys.rsa_public_pem, DI)
        self.files = IssuedFiles()
        self.cache = cache
        self.images = image_cache
        self.pngs: dict[str, bytes] = {}

    def add(self, path: str, data: bytes | str) -> None:
        self.files.add(path, data)

    def signed(self, document: dict[str, Any], created: str) -> dict[str, Any]:
        """`document` with its Data Integrity proof, from the cache when it was signed before."""

        def sign() -> str:
            proof = sign_data_integrity(document, self.keys.ed25519, self.vm, created)["proof"]
            return json.dumps(proof)

        def well_formed(cached: str) -> bool:
            """Verifying the proof would cost what the cache saves; checking its form is cheap."""
            try:
                [proof] = json.loads(cached)
                value = proof["proofValue"]
                signature = b58decode(value[1:]) if value[:1] == "z" else b""
            except (ValueError, TypeError, KeyError):
                return False
            expected = {**proof_options(self.vm, created), "proofValue": value}
            return len(signature) == 64 and cached == json.dumps([expected])

        proof = self.cache.signature(
            DI, self.keys.ed25519_multikey, self.di_input(document, created), sign, well_formed
        )
        return {**document, "proof": json.loads(proof)}

    def di_input(self, document: dict[str, Any], created: str) -> bytes:
        """What a Data Integrity proof's cache entry is keyed by."""
        return compact({"document": document, "vm": self.vm, "created": created})

    def presign(self, every: list[AwardFacts]) -> None:
        """Sign, on every core, the credentials the cache does not hold yet; `signed` then
        finds them there."""
        key_id = self.keys.ed25519_multikey
        jobs = []
        for facts in every:
            document = ob3.credential(facts, self.issuer, self.ob3)
            signed = self.di_input(document, facts.recorded)
            if self.cache.missing(DI, key_id, signed):
                jobs.append((document, self.vm, facts.recorded))
        for (document, _, created), proof in zip(
            jobs, sign_all(jobs, self.keys.ed25519), strict=True
        ):
            self.cache.remember(DI, key_id, self.di_input(document, created), json.dumps(proof))

    def jws(self, payload: bytes, header: dict[str, Any]) -> str:
        def valid(cached: str) -> bool:
            """An RSA verification is cheap next to signing: a bad cache entry is never served."""
            try:
                found = verify_jws(cached, self.keys.rsa.public_key())
            except ValueError:
                return False
            return found == ({**header, "alg": "RS256"}, payload)

        signed = compact(header) + b"." + payload
        return self.cache.signature(
            "RS256",
            self.keys.rsa_kid,
            signed,
            lambda: sign_jws(payload, self.keys.rsa, header),
            valid,
        )

    def vc_jwt(self, document: dict[str, Any]) -> str:
        """`document` as a VC-JWT whose `kid` is the DID URL of the current RSA key."""
        kid = rsa_method(self.did, self.keys.rsa_jwk)
        return self.jws(
            compact(ob3.jwt_claims(document)), {"alg": "RS256", "typ": "JWT", "kid": kid}
        )

    def png(self, svg: str) -> bytes:
        """The badge's PNG, drawn (or read from the image cache) once per build."""
        found = self.pngs.get(svg)
        if found is None:
            size = BADGE_PNG_SIZE
            found = self.images.image(
                ("badge", svg, str(size)), lambda: images.png_from_svg(svg, size)
            )
            self.pngs[svg] = found
        return found

    def badge_images(self) -> dict[str, str]:
        """Each badge's SVG: the community's artwork, or one drawn for its name and tier."""
        svgs = {}
        for slug, record in self.c.badges.items():
            badge = record.model
            if badge.image:
                svg = (self.c.root / "badges/images" / badge.image).read_text(encoding="utf-8")
            else:
                svg = images.badge_svg(badge.name, badge.tier, badge.audience.value)
            svgs[slug] = svg
            self.add(f"badges/images/{slug}.svg", svg)
            try:
                self.add(f"badges/images/{slug}.png", self.png(svg))
            except images.DrawingError as exc:
                if not badge.image:
                    raise
                path = f"badges/images/{badge.image}"
                raise ContentError(
                    [Problem(path, 0, "", str(exc), "simplify the drawing")]
                ) from None
        return svgs

    def keys_and_profiles(self) -> None:
        rsa = {k.kid: k.public_pem for k in self.registry.rsa}
        rsa[self.keys.rsa_kid] = self.keys.rsa_public_pem
        multikeys = list(
            dict.fromkeys(
                [*(k.multikey for k in self.registry.ed25519), self.keys.ed25519_multikey]
            )
        )
        for kid, pem in sorted(rsa.items()):
            self.add(self.ob2.key(kid), dumps(ob2.cryptographic_key(kid, pem, self.ob2)))
            # Every key ever used, not only the current one: a VC-JWT a recipient downloaded
            # before a rotation names its key by this URL.
            self.add(self.ob3.jwk(kid), dumps(rsa_public_jwk(pem)))
        self.add(self.ob2.issuer, dumps(ob2.issuer_profile(self.issuer, self.ob2, sorted(rsa))))
        jwks = [rsa_public_jwk(pem) for _, pem in sorted(rsa.items())]
        self.add(did_document_path(self.base), dumps(did_document(self.did, multikeys, jwks)))
        self.add(self.ob3.issuer, dumps({"@context": ob3.CONTEXT, **ob3.profile(self.issuer)}))
        for slug in self.c.badges:
            facts = badge_facts(self.c, self.urls, slug)
            self.add(self.ob2.badge(slug), dumps(ob2.badge_class(facts, self.ob2)))
            # The OB 3.0 Achievement at its own id, exactly as credentials embed it.
            achievement = {"@context": ob3.CONTEXT, **ob3.achievement(facts, self.ob3)}
            self.add(self.ob3.achievement(slug), dumps(achievement))

    def documents_key(self, facts: AwardFacts) -> str:
        """What an award's documents are made from: its facts (badge and evidence included),
        the issuer, the site's addresses and the keys' public identity (which decides their
        deterministic signatures); `DocumentCache.key` adds menteo's code. The facts are
        frozen dataclasses of plain values whose `repr` shows every field (tests check it)."""
        return DocumentCache.key(
            repr(facts),
            repr(self.issuer),
            self.base,
            *self.public_identity,
        )

    def documents(self, facts: AwardFacts) -> AwardDocuments:
        hosted = dumps(ob2.hosted_assertion(facts, self.ob2)).decode("utf-8")
        jws = self.jws(
            compact(ob2.signed_assertion(facts, self.ob2, self.rsa_kid)), {"alg": "RS256"}
        )
        credential = self.signed(ob3.credential(facts, self.issuer, self.ob3), facts.recorded)
        unsecured = ob3.credential(facts, self.issuer, self.ob3, self.ob3.status_list_jwt)
        jwt = self.vc_jwt(unsecured)
        return AwardDocuments(hosted, jws, dumps(credential).decode("utf-8"), jwt)

    def award(self, facts: AwardFacts, svg: str, documents: AwardDocuments) -> IssuedAward:
        uuid = facts.uuid
        png = self.png(svg)
        paths = IssuedAward(
            facts=facts,
            ob2_json=self.ob2.assertion(uuid),
            ob2_jws=self.ob2.assertion(uuid, "jws"),
            ob2_png=self.ob2.assertion(uuid, "png"),
            ob2_svg=self.ob2.assertion(uuid, "svg"),
            ob2_hosted_png=self.ob2.assertion(uuid, ob2.HOSTED_PNG),
            ob3_json=self.ob3.credential(uuid),
            ob3_jwt=self.ob3.credential(uuid, "jwt"),
            ob3_png=self.ob3.credential(uuid, "png"),
            ob3_svg=self.ob3.credential(uuid, "svg"),
        )
        hosted, jws, credential = documents.hosted, documents.jws, documents.credential
        bake = self.files.bake
        self.add(paths.ob2_json, hosted)
        bake(paths.ob2_hosted_png, baking.bake_ob2_png, png, hosted)
        self.add(paths.ob2_jws, jws)
        bake(paths.ob2_png, baking.bake_ob2_png, png, jws)
        bake(paths.ob2_svg, baking.bake_ob2_svg, svg, jws)
        self.add(paths.ob3_json, credential)
        self.add(paths.ob3_jwt, documents.jwt)
        bake(paths.ob3_png, baking.bake_ob3_png, png, credential)
        bake(paths.ob3_svg, baking.bake_ob3_svg, svg, credential)
        return paths

    def status(self, every: list[AwardFacts]) -> None:
        revoked = [
            self.ledger.awards[award_id].status_index for award_id in self.ledger.revocations
        ]
        latest = max(
            (a.recorded for a in self.ledger.awards.values()), default="1970-01-01T00:00:00Z"
        )
        latest = max([latest, *(r.recorded for r in self.ledger.revocations.values())])
        document = ob3.status_list(revoked, self.issuer, self.ob3, latest)
        self.add(self.ob3.status_list, dumps(self.signed(document, latest)))
        path = self.ob3.status_list_jwt
        self.add(path, self.vc_jwt(ob3.status_list(revoked, self.issuer, self.ob3, latest, path)))
        self.add(self.ob2.revocations, dumps(ob2.revocation_list(every, self.ob2)))


def issue_credentials(
    community: CommunityData,
    ledger: Ledger,
    urls: Urls,
    keys: SigningKeys,
    registry: PublicKeys,
    cache: SignatureCache | None = None,
    image_cache: ImageCache | None = None,
    document_cache: DocumentCache | None = None,
) -> Issued:
    """Every credential file of the site; the caches remember signatures, rendered images and
    whole award documents between builds."""
    cache = cache if cache is not None else SignatureCache(None)
    image_cache = image_cache if image_cache is not None else ImageCache(None)
    document_cache = document_cache if document_cache is not None else DocumentCache(None)
    issuer = _Issuer(community, ledger, urls, keys, registry, cache, image_cache)
    svgs = issuer.badge_images()
    issuer.keys_and_profiles()
    every = award_facts(community, ledger, urls)
    keyed = [(facts, issuer.documents_key(facts)) for facts in every]
    remembered = {key: AwardDocuments.remembered(document_cache.get(key)) for _, key in keyed}
    issuer.presign([facts for facts, key in keyed if remembered[key] is None])
    issued = []
    for facts, key in keyed:
        documents = remembered[key]
        if documents is None:
            documents = issuer.documents(facts)
            document_cache.put(key, documents.texts())
        issued.append(issuer.award(facts, svgs[facts.badge.slug], documents))
    issuer.status(every)
    cache.save()
    return Issued(issuer.files, issued, issuer.issuer, svgs)
