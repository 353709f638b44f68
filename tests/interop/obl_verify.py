"""Verify menteo's Open Badges 3.0 output with openbadgeslib (PyPI, 4.6.3), offline.

Runs inside its own virtualenv (setup.sh `obl`): openbadgeslib's pins must not leak into
menteo's environment. Every fetch goes through its injectable `download` hook, answered from
the built site; any other URL raises, so the run sees only what we publish. The issuer is
anchored by resolving its did:web DID (openbadgeslib's `resolve_did=True` path).

    python obl_verify.py --site DIR --base URL [--verify-status-list] FILE...

FILE is an OB 3.0 credential `.json` (Data Integrity), `.jwt` (VC-JWT) or baked `.png`/`.svg`.
`--verify-status-list` also asks it to verify the status list's own signature (it accepts only a
JWT-signed list). Prints a JSON list of {file, valid, format, reason, fetched}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError, OB3Verifier
from openbadgeslib.verify import issuer_did_from_document, issuer_did_from_token, verify_badge


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--verify-status-list", action="store_true")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    site = os.path.realpath(args.site)
    fetched: list[str] = []

    def download(url: str, *_: object, **__: object) -> bytes:
        fetched.append(url)
        if not url.startswith(args.base):
            raise OSError(f"offline: refusing to fetch {url}")
        path = os.path.realpath(os.path.join(site, url[len(args.base) :].split("#")[0]))
        if not path.startswith(site + os.sep) or not os.path.isfile(path):
            raise OSError(f"404 {url}")
        with open(path, "rb") as handle:
            return handle.read()

    options = {"check_status": True, "verify_status_list": args.verify_status_list}
    reports = []
    for file in args.files:
        start = len(fetched)
        report: dict[str, object] = {"file": file, "valid": False, "reason": None}
        with open(file, "rb") as handle:
            data = handle.read()
        try:
            if file.endswith((".png", ".svg")):
                result = verify_badge(data, "3", resolve_did=True, download=download, **options)
                report.update(valid=result.valid and result.trusted, reason=result.reason)
                report["format"] = result.proof_format
            elif file.endswith(".jwt"):
                token = data.decode("ascii").strip()
                verifier = OB3Verifier.for_issuer_did(issuer_did_from_token(token), download)
                verifier.verify(token, download=download, **options)
                report.update(valid=True, format="vc-jwt")
            else:
                document = data.decode("utf-8")
                verifier = OB3LdpVerifier.for_issuer_did(issuer_did_from_document(document))
                verifier.verify(document, download=download, **options)
                report.update(valid=True, format="ldp")
        except (OB3VerificationError, ValueError) as exc:
            report["reason"] = f"{type(exc).__name__}: {exc}"
        report["fetched"] = sorted(set(fetched[start:]))
        reports.append(report)
    json.dump(reports, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
