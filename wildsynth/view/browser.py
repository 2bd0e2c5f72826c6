"""Rerun's web viewer in headless Chromium, driven through Playwright: for the tests and the docs screenshot.

Needs the ``dev`` extra (``playwright``) and Debian's ``chromium`` (``.ci/run``
installs it); never ``playwright install`` (no browser download here). WebGL
runs on ANGLE over SwiftShader (``--use-angle=swiftshader``): a CPU
rasteriser that gives the viewer the 8 colour attachments it needs (the bare
``chromium-headless-shell`` gives 6, and its WebGPU refuses Rerun's 32 MiB
buffers; docs/viewer.md). Every request that leaves this machine is aborted and
counted, so the page is proved to load offline. The viewer's own state comes
from its ``WebHandle`` (kept by ``KEEP_HANDLE``).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import numpy as np

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-gl=angle", "--use-angle=swiftshader",
         "--enable-unsafe-swiftshader"]
LOCAL = {"localhost", "127.0.0.1", "[::1]", "::1"}
# rerun 0.22's page sets ``window._handle`` from the value its ``start()`` promise resolves to, which is
# undefined; this keeps the handle itself, caught as ``start`` is called (before the wasm has loaded).
KEEP_HANDLE = """
(() => {
  const t = setInterval(() => {
    let wb;
    try { wb = wasm_bindgen; } catch (e) { return; }
    if (!wb || !wb.WebHandle) return;
    clearInterval(t);
    const start = wb.WebHandle.prototype.start;
    wb.WebHandle.prototype.start = function (...a) { window.__wildsynth_handle = this; return start.apply(this, a); };
  }, 2);
})();
"""


class Viewer:
    """One open viewer page."""

    def __init__(self, page):
        self.page = page
        self.external: list[str] = []  # requests that would have left the machine (aborted)
        self.console: list[str] = []

    def call(self, method: str, *args):
        """``window._handle.<method>(*args)`` in the page."""
        return self.page.evaluate(f"args => window.__wildsynth_handle.{method}(...args)", list(args))

    def recording(self) -> str | None:
        return self.call("get_active_recording_id")

    def time_range(self, timeline: str = "frame") -> dict | None:
        rid = self.recording()
        return None if rid is None else self.call("get_timeline_time_range", rid, timeline)

    def set_time(self, value: float, timeline: str = "frame") -> None:
        rid = self.recording()
        self.call("set_playing", rid, False)
        self.call("set_time_for_timeline", rid, timeline, value)

    def time(self, timeline: str = "frame") -> float | None:
        return self.call("get_time_for_timeline", self.recording(), timeline)

    def screenshot(self, path: str | Path | None = None, settle: float = 2.0) -> np.ndarray:
        """The page as uint8 RGB (H, W, 3), after ``settle`` seconds for the software rasteriser."""
        from io import BytesIO

        from PIL import Image

        time.sleep(settle)
        png = self.page.screenshot(path=str(path) if path else None)
        return np.asarray(Image.open(BytesIO(png)).convert("RGB"))


@contextmanager
def open_viewer(url: str, size: tuple[int, int] = (1280, 800), chromium: Path = CHROMIUM,
                last_frame: int | None = None, timeout: float = 90.0) -> Iterator[Viewer]:
    """Open ``url`` (a ``serve()`` URL) and wait until the viewer holds a recording (and, given ``last_frame``,
    has received it up to that frame on the ``frame`` timeline)."""
    from playwright.sync_api import sync_playwright

    if not Path(chromium).is_file():
        raise FileNotFoundError(f"{chromium} is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            viewer = Viewer(page)

            def external(url: str) -> bool:
                return url.startswith(("http:", "https:", "ws:", "wss:")) and (urlparse(url).hostname or "") not in LOCAL

            def abort(r):
                viewer.external.append(r.request.url)
                return r.abort()

            page.add_init_script(KEEP_HANDLE)
            page.route(external, abort)  # local requests are not intercepted (the 30 MB wasm stays fast)
            page.on("console", lambda m: viewer.console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: viewer.console.append(f"pageerror: {e}"))
            page.goto(url, wait_until="load", timeout=timeout * 1000)
            page.wait_for_function("() => window.__wildsynth_handle && window.__wildsynth_handle.get_active_recording_id()",
                                   timeout=timeout * 1000)
            if last_frame is not None:
                deadline = time.monotonic() + timeout
                while (viewer.time_range() or {}).get("max") != last_frame:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the viewer did not receive frame {last_frame} in {timeout:.0f} s")
                    time.sleep(0.25)
            yield viewer
        finally:
            browser.close()
