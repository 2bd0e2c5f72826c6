"""``wildsynth view`` in a real headless browser: Debian's Chromium driven by Playwright opens the served viewer
with every request off this machine aborted (offline), the viewer's own state holds the run's recording and its
``frame`` timeline, scrubbing changes what it draws, the screenshot is not blank and shows the layers."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.core.labels import LABELS
from wildsynth.io import read_png
from wildsynth.layouts.source import open_run
from wildsynth.view import serve
from wildsynth.view.browser import open_viewer

pytestmark = [pytest.mark.blender, pytest.mark.browser]  # the session fixture renders a run; Chromium draws it


def _near(shot: np.ndarray, colour, tol: int = 4) -> np.ndarray:
    return np.all(np.abs(shot.astype(int) - np.asarray(colour)) <= tol, axis=-1)


def test_viewer_loads_offline_shows_the_layers_and_scrubs(view_run, view_rrd, chromium, tmp_path):
    run = open_run(view_run)
    server = serve(view_rrd)
    try:
        with open_viewer(server.url, chromium=chromium, last_frame=run.frames[-1]) as v:
            assert v.recording() == run.name
            assert v.call("get_active_timeline", run.name) == "frame"
            assert v.time_range() == {"min": run.frames[0], "max": run.frames[-1]}
            assert not v.call("has_panicked")
            shots = {}
            for f in (run.frames[0], run.frames[-1]):
                v.set_time(f)
                shots[f] = v.screenshot(tmp_path / f"frame{f}.png")
                assert v.time() == f
            console = "\n".join(v.console)
            # the page and the recording came from this machine only: whatever else it asked for was aborted
            assert all(not u.startswith(server.url.split("?")[0]) for u in v.external)
            assert f"Connection to ws://localhost:{server.ws_port} established" in console
    finally:
        server.stop()
    assert server.process.poll() is not None
    a, b = shots[run.frames[0]], shots[run.frames[-1]]
    # not blank: many distinct colours over the page, most pixels away from the background
    bg = np.median(a.reshape(-1, 3), axis=0)
    assert (np.abs(a.astype(int) - bg).sum(-1) > 30).mean() > 0.25
    assert len(np.unique(a.reshape(-1, 3) // 8, axis=0)) > 300
    # the semantic layer, drawn with the registry's class colours: each class filling >= 2% of the view shows
    sem = read_png(run.view("left", run.frames[0]).path("semantic.png"))
    colours = {lab.id: lab.color for lab in LABELS}
    big = [c for c, n in zip(*np.unique(sem, return_counts=True)) if n >= 0.02 * sem.size]
    assert big
    for c in big:
        assert _near(a, colours[int(c)]).sum() >= 20, f"class {c} colour {colours[int(c)]} not on the page"
    # scrubbing to the last frame redraws the moving camera's layers
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 1.0
