"""A headless Chromium driven over the DevTools protocol (pipe transport, no websocket).

``--remote-debugging-pipe`` makes Chromium read commands from file descriptor 3 and write
replies and events to descriptor 4, each a JSON message ended by a NUL byte: no network,
no port, no extra package. Used by ``tests/test_report_browser.py`` to ask the browser
which font it really drew a node's text with (``CSS.getPlatformFontsForNode``) and to
take a screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

#: Names of the Chromium binary on Debian (package ``chromium``) and elsewhere.
BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for an offline machine: without the networking ones Chromium hangs at start.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
         "--hide-scrollbars", "--remote-debugging-pipe")


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, binary: str, *, width: int = 1100, height: int = 900,
                 timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="lgsim-chromium-")
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()
        cmd = [binary, *FLAGS, f"--user-data-dir={self.profile}",
               f"--window-size={width},{height}", "about:blank"]

        def plumbing() -> None:  # the child's fds 3 and 4 are the two pipe ends
            a, b = os.dup(to_child_r), os.dup(from_child_w)  # (either may be 3 or 4)
            os.dup2(a, 3)
            os.dup2(b, 4)

        # 3 and 4 are kept open in the child: the fds not passed are closed after plumbing()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=plumbing,
                                     pass_fds=(3, 4, to_child_r, from_child_w))
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        try:
            self.call("Browser.close")
        except Exception:  # the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no reply from chromium")
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the debugging pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply (events are kept in ``events``)."""
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to the page's session."""
        return self.call(method, session=True, **params)

    def open(self, path: Path) -> None:
        """Load a local file and wait for its load event and its fonts."""
        self.page("Page.enable")
        self.page("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._read_message(deadline))
        self.page("Runtime.evaluate", expression="document.fonts.ready", awaitPromise=True)
        self.page("DOM.enable")
        self.page("CSS.enable")

    def fonts_of(self, selector: str) -> list[dict[str, Any]]:
        """The fonts the browser drew the first node matching ``selector`` with."""
        root = self.page("DOM.getDocument", depth=-1)["root"]["nodeId"]
        node = self.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise LookupError(f"no node matches {selector!r}")
        return self.page("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the visible page."""
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path
