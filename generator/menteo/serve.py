"""`menteo serve`: a local preview that rebuilds on every change and reloads the browser.

Only requests addressed to the server itself are answered (by the `Host` header): a web page
whose name an attacker points at 127.0.0.1 (DNS rebinding) would otherwise read the preview.

The preview is built into `.menteo/preview/` (git-ignored), never into `_site/`, with the local
address as its base URL. A failed rebuild keeps the last good site on screen and shows the
problems over it, the way a contributor fixes them: one save at a time. The reload script is added
to pages as they are served, so nothing of it ever reaches a real build.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from menteo.build import build_site
from menteo.errors import ContentError, Problem

PREVIEW_DIR = Path(".menteo") / "preview"
STATUS_PATH = "/__menteo/status"
POLL_SECONDS = 0.5
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = frozenset({"", "0.0.0.0", "::"})
SKIPPED = {"_site", "__pycache__", "node_modules"}
"""Besides hidden files and folders (.git, .menteo, a build's staging folder), which the loader
never reads either."""

_RELOAD_SCRIPT = """<script>
(() => {
  let seen = null;
  const show = (problems) => {
    let box = document.getElementById("menteo-problems");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "menteo-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1rem;background:#5c0011;color:#fff;font:14px/1.4 monospace;z-index:9999";
      document.body.append(box);
    }
    box.textContent = "menteo: the last change did not build; showing the last good site.\\n\\n" +
      problems.join("\\n");
  };
  const poll = async () => {
    try {
      const status = await (await fetch("STATUS_PATH", {cache: "no-store"})).json();
      if (seen !== null && status.version !== seen) { location.reload(); return; }
      seen = status.version;
      show(status.problems);
    } catch (error) { /* the server restarts: keep polling */ }
    setTimeout(poll, 1000);
  };
  poll();
})();
</script>
""".replace("STATUS_PATH", STATUS_PATH)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every file a build could read. Runs twice a second while
    the server idles, so it stays on `os.scandir` and plain strings (pathlib made a poll of a
    10,000-entry community cost a quarter of a second)."""
    found: dict[str, tuple[int, int]] = {}
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            listing = os.scandir(os.path.join(root, folder))
        except FileNotFoundError:
            continue
        with listing:
            for entry in listing:
                if entry.name in SKIPPED or entry.name.startswith("."):
                    continue
                rel = f"{folder}/{entry.name}" if folder else entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(rel)
                    else:
                        stat = entry.stat(follow_symlinks=False)
                        found[rel] = (stat.st_mtime_ns, stat.st_size)
                except FileNotFoundError:
                    continue
    return found


class Preview:
    """Builds the preview and keeps the state the browser polls: a version and the problems."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.out = self.root / PREVIEW_DIR
        self.base_url = ""
        """Set once the server knows its port."""
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.lock = threading.Lock()
        self.seen: dict[str, tuple[int, int]] = {}
        """The files as the last build found them."""

    def rebuild(self) -> bool:
        self.seen = _snapshot(self.root)
        try:
            build_site(self.root, self.out, base_url=self.base_url)
        except ContentError as exc:
            with self.lock:
                self.problems = exc.problems
            return False
        except OSError as exc:  # a full disk or an unreadable file: say so, keep serving
            problem = Problem(str(exc.filename or self.out), 0, "", exc.strerror or str(exc))
            with self.lock:
                self.problems = (problem,)
            return False
        with self.lock:
            self.problems = ()
            self.version += 1
        return True

    def status(self) -> dict[str, object]:
        with self.lock:
            return {"version": self.version, "problems": [str(p) for p in self.problems]}

    def watch(self, stop: threading.Event, report: Callable[[str], None]) -> None:
        """Rebuild after each change, once the files have stopped changing for a moment."""
        while not stop.wait(POLL_SECONDS):
            current = _snapshot(self.root)
            if current == self.seen:
                continue
            while not stop.wait(POLL_SECONDS / 2):
                settled = _snapshot(self.root)
                if settled == current:
                    break
                current = settled
            started = time.perf_counter()
            if self.rebuild():
                report(f"Rebuilt in {time.perf_counter() - started:.2f} s.")
            else:
                count = len(self.problems)
                noun = "problem" if count == 1 else "problems"
                report(f"Build failed ({count} {noun}); serving the last good site:")
                for problem in self.problems:
                    report(f"  {problem}")


def addressed_to(host_header: str | None, bound: str, port: int) -> bool:
    """Whether a request's `Host` names this server: its own address and port; any loopback
    name when it listens on loopback; any IP address (never a DNS name, which an attacker can
    point anywhere) when it listens on every interface."""
    if host_header is None:
        return False
    try:
        parts = urlsplit(f"//{host_header}")
        name, given = (parts.hostname or ""), parts.port
    except ValueError:
        return False
    if given != port:
        return False
    bound = bound.strip("[]").casefold()
    if name == bound or (bound in LOOPBACK and name in LOOPBACK):
        return True
    if bound not in WILDCARD:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name == "localhost"
    return True


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview
    bound: tuple[str, int]
    """The address the server listens on, for `addressed_to`."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def parse_request(self) -> bool:
        """Every method (GET, HEAD, the status poll) passes here first."""
        if not super().parse_request():
            return False
        if addressed_to(self.headers.get("Host"), *self.bound):
            return True
        self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its address")
        return False

    def do_GET(self) -> None:
        if self.path == STATUS_PATH:
            self._send(200, "application/json", json.dumps(self.preview.status()).encode())
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() or self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html":
            if not path.is_file():
                path = self.preview.out / "404.html"
                status = 404
            else:
                status = 200
            page = path.read_text(encoding="utf-8") if path.is_file() else _empty_page()
            page = page.replace("</body>", _RELOAD_SCRIPT + "</body>", 1)
            self._send(status, "text/html; charset=utf-8", page.encode("utf-8"))
            return
        super().do_GET()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _empty_page() -> str:
    return "<!doctype html><html lang=en><title>menteo preview</title><body></body></html>"


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(_Handler):
        """A class per server, so the attributes below belong to this server alone."""

    Handler.preview = preview
    server = ThreadingHTTPServer((host, port), partial(Handler, directory=str(preview.out)))
    Handler.bound = (host, server.server_address[1])
    return server
