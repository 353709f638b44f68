"""Validate menteo's Open Badges 2.0 output with 1EdTech's validator-core (`openbadges` 1.1.2).

Runs inside its own virtualenv (see setup.sh / tests/test_interop.py): validator-core needs old
pins that must not leak into menteo's environment. HTTP is mocked with `responses`: URLs under
BASE are served from the built site folder, the OB v2 JSON-LD context from menteo's bundled copy;
any other request fails (ConnectionError), so the run is offline and sees only what we publish.

    python ob2_validate.py --site DIR --base URL --contexts DIR INPUT...

With --recipient-email (repeatable), the addresses are the trusted recipient profile, as Badgr
passes the importing account's verified addresses: the recipient must match one of them.

INPUT is `jws:FILE` (a signed assertion, passed as the compact JWS text), `url:URL` (a hosted
assertion, fetched through the mock), `json:FILE` (assertion JSON text) or `image:FILE` (a baked
PNG/SVG, passed as a file object). Prints a JSON list with one report per input.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import re
import sys

import openbadges
import responses

OB2_CONTEXT_URLS = ("https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json")
CONTENT_TYPES = {
    ".json": "application/ld+json",
    ".jsonld": "application/ld+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jws": "text/plain",
    ".jwt": "text/plain",
    ".html": "text/html",
}


def context_file(contexts_dir: str, url: str) -> str:
    with open(os.path.join(contexts_dir, "index.json"), encoding="utf-8") as handle:
        index = json.load(handle)
    for entry in index["entries"]:
        if entry.get("primary") and url in [entry["url"], *entry.get("alias_urls", [])]:
            return os.path.join(contexts_dir, entry["file"])
    raise SystemExit(f"no bundled context for {url}")


def install_mocks(mock: responses.RequestsMock, site: str, base: str, contexts: str) -> list:
    requested: list[str] = []
    site = os.path.realpath(site)

    def serve_site(request):
        requested.append(request.url)
        path = request.url.split("#", 1)[0].split("?", 1)[0]
        relative = path[len(base) :]
        file = os.path.realpath(os.path.join(site, relative))
        if not file.startswith(site + os.sep) or not os.path.isfile(file):
            return (404, {"Content-Type": "text/plain"}, "404 Not Found")
        with open(file, "rb") as handle:
            body = handle.read()
        extension = os.path.splitext(file)[1].lower()
        content_type = CONTENT_TYPES.get(extension) or mimetypes.guess_type(file)[0]
        return (200, {"Content-Type": content_type or "application/octet-stream"}, body)

    for url in OB2_CONTEXT_URLS:
        with open(context_file(contexts, OB2_CONTEXT_URLS[0]), "rb") as handle:
            body = handle.read()

        def serve_context(request, body=body):
            requested.append(request.url)
            return (200, {"Content-Type": "application/ld+json"}, body)

        mock.add_callback(responses.GET, url, callback=serve_context)
    mock.add_callback(responses.GET, re.compile(re.escape(base) + ".*"), callback=serve_site)
    return requested


def summarise(name: str, result: dict, requested: list[str]) -> dict:
    report = result["report"]
    return {
        "input": name,
        "valid": report["valid"],
        "errorCount": report["errorCount"],
        "warningCount": report["warningCount"],
        "messages": [
            {
                "level": m.get("messageLevel"),
                "name": m.get("name"),
                "result": m.get("result"),
                "node": m.get("node_json"),
            }
            for m in report["messages"]
        ],
        "openBadgesVersion": report.get("openBadgesVersion"),
        "validationSubject": report.get("validationSubject"),
        "graphTypes": sorted({str(node.get("type")) for node in result.get("graph", [])}),
        "requested": sorted(set(requested)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--contexts", required=True)
    parser.add_argument(
        "--recipient-email",
        action="append",
        default=[],
        help="a trusted recipient profile's address, as Badgr passes the importing account's",
    )
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args(argv)
    if not args.base.endswith("/"):
        parser.error("--base must end with /")

    profile = {"email": args.recipient_email} if args.recipient_email else None
    reports = []
    for item in args.inputs:
        kind, _, value = item.partition(":")
        # A fresh mock (and no HTTP cache) per input: nothing leaks between validations.
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            requested = install_mocks(mock, args.site, args.base, args.contexts)
            try:
                if kind == "jws" or kind == "json":
                    with open(value, encoding="utf-8") as handle:
                        result = openbadges.verify(handle.read().strip(), profile, use_cache=False)
                elif kind == "url":
                    result = openbadges.verify(value, profile, use_cache=False)
                elif kind == "image":
                    with open(value, "rb") as handle:
                        result = openbadges.verify(handle, profile, use_cache=False)
                else:
                    parser.error(f"unknown input kind {kind!r} in {item!r}")
                reports.append(summarise(item, result, requested))
            except Exception as exc:  # a crash inside the validator is a failed validation
                reports.append(
                    {
                        "input": item,
                        "valid": False,
                        "errorCount": 1,
                        "warningCount": 0,
                        "messages": [{"level": "EXCEPTION", "result": repr(exc)}],
                        "requested": sorted(set(requested)),
                    }
                )
    json.dump(reports, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
