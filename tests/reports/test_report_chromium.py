"""The browser report in real headless Chromium with the network cut off.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe): every request,
failed load, console message and exception is an event we record. Chromium is required: a
machine without it fails here with the install line, it does not skip.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from monitor.weekly import build_weekly_context
from reports.render import render_browser

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("report_speed", ROOT / "benchmarks/report_speed.py")
scenario = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario)

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--mute-audio", "--window-size=1000,1400",
    # No network: every host resolves to nothing and any proxied request goes nowhere.
    "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium is not installed; run `apt-get update && apt-get install -y chromium`")
    return path


class DevTools:
    """Just enough of the DevTools protocol over the pipe (fd 3 in, fd 4 out of Chromium)."""

    def __init__(self, profile: Path, log: Path):
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def wire():  # runs in the child: put the pipe ends where Chromium expects them
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [chromium(), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=wire, close_fds=False,
            )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(time.monotonic() + timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply["result"]

    def wait_for(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0  # events that arrived while waiting for a reply count too
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            self._receive(deadline)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._receive(deadline)
        except TimeoutError:
            pass

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise AssertionError(f"chromium exited ({self.proc.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (AssertionError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One Chromium for the module (start-up is the slow part); a fresh tab per page."""
    root = tmp_path_factory.mktemp("chromium")
    tools = DevTools(root / "profile", root / "chromium.log")
    yield tools
    tools.close()


def open_page(tools: DevTools, path: Path) -> tuple[dict, bytes]:
    """Load `path` in a new tab; return the problems seen and a PNG screenshot of the page."""
    tools.events.clear()
    target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        tools.send(f"{domain}.enable", session=session)
    tools.send("Emulation.setDeviceMetricsOverride",
               {"width": 1000, "height": 1400, "deviceScaleFactor": 1, "mobile": False},
               session=session)
    tools.send("Page.navigate", {"url": path.as_uri()}, session=session)
    tools.wait_for("Page.loadEventFired")
    tools.drain(0.5)  # late console messages and failed loads
    # optimizeForSpeed: cheap PNG filters, which keeps the decoder below quick.
    shot = tools.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True},
                      session=session)
    tools.send("Target.closeTarget", {"targetId": target})
    events = [e for e in tools.events if e.get("sessionId") == session]
    problems = {
        "requests": [e["params"]["request"]["url"] for e in events
                     if e["method"] == "Network.requestWillBeSent"
                     and not e["params"]["request"]["url"].startswith(("file:", "data:"))],
        "failed": [e["params"]["errorText"] for e in events if e["method"] == "Network.loadingFailed"],
        "console": [e["params"]["type"] for e in events if e["method"] == "Runtime.consoleAPICalled"
                    and e["params"]["type"] in ("error", "assert", "warning")],
        "exceptions": [e["params"]["exceptionDetails"]["text"] for e in events
                       if e["method"] == "Runtime.exceptionThrown"],
        "log": [e["params"]["entry"]["text"] for e in events if e["method"] == "Log.entryAdded"
                and e["params"]["entry"]["level"] == "error"],
    }
    return problems, base64.b64decode(shot["data"])


def png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (all five filter types) to an (h, w, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 1:
            row = np.cumsum(line.reshape(width, bpp), axis=0).ravel() % 256
        elif kind == 2:
            row = (line + prev) % 256
        else:
            row = np.zeros(stride, dtype=np.int32)
            cur, up = line.tolist(), prev.tolist()
            for x in range(stride):
                left = row[x - bpp] if x >= bpp else 0
                corner = up[x - bpp] if x >= bpp else 0
                if kind == 3:
                    row[x] = (cur[x] + (left + up[x]) // 2) % 256
                else:
                    p = left + up[x] - corner
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else corner)
                    row[x] = (cur[x] + pred) % 256
        out[y], prev = row, np.asarray(row, dtype=np.int32)
    return out.reshape(height, width, bpp)


def blank(pixels: np.ndarray) -> bool:
    """Blank: under 2% of the pixels differ from white, or under 50 distinct colours."""
    packed = pixels.reshape(-1, 3).astype(np.uint32) @ np.array([65536, 256, 1], dtype=np.uint32)
    colours = len(np.unique(packed))
    return colours < 50 or (pixels.min(axis=2) < 240).mean() < 0.02


def test_report_opens_offline_without_errors_and_is_not_blank(browser, tmp_path):
    ctx = build_weekly_context(**scenario.synthetic_inputs(120), week=scenario.WEEK, lang="uk")
    page = tmp_path / "report.html"
    page.write_text(render_browser(ctx), encoding="utf-8")
    problems, shot = open_page(browser, page)
    assert problems == {"requests": [], "failed": [], "console": [], "exceptions": [], "log": []}
    pixels = png_pixels(shot)[:, :, :3]
    assert pixels.shape[:2] == (1400, 1000)
    assert not blank(pixels)
    # The map's critical red (#d7191c, Kharkiv) is on screen: the tiles rendered.
    assert ((pixels == [215, 25, 28]).all(axis=2)).sum() > 500


def test_the_harness_sees_requests_and_console_errors(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">'
                    '<script>console.error("boom"); undefinedFunction();</script></body></html>')
    problems, shot = open_page(browser, page)
    assert problems["requests"] == ["http://example.invalid/x.png"]
    assert problems["failed"] and problems["console"] == ["error"] and problems["exceptions"]
    assert blank(png_pixels(shot)[:, :, :3])  # a broken-image icon on white
