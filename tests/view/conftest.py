"""One tiny real stereo sequence for the viewer tests (rendered once per session), its recording, and a dataset
root holding it as two finished jobs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def view_run(tmp_path_factory) -> Path:
    """``wildsynth generate --scene desert --frames 2 --rig stereo --resolution 64x48 --samples 1 --formats exr``."""
    out = tmp_path_factory.mktemp("view_src") / "dunes"
    cmd = [sys.executable, "-m", "wildsynth.cli", "generate", "--scene", "desert", "--frames", "2", "--rig", "stereo",
           "--resolution", "64x48", "--samples", "1", "--formats", "exr", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def view_rrd(view_run, tmp_path_factory) -> Path:
    from wildsynth.view import select, write_recording

    out = tmp_path_factory.mktemp("view_rrd") / "dunes.rrd"
    write_recording(select(view_run), out)
    return out


@pytest.fixture(scope="session")
def view_dataset(view_run, tmp_path_factory) -> Path:
    """A dataset root whose jobs desert/000000 and desert/000001 are finished (hard-linked copies of the run)."""
    root = tmp_path_factory.mktemp("view_ds") / "ds"
    root.mkdir()
    (root / "dataset.json").write_text(json.dumps({"scenes": {"desert": 1.0}, "seed": 0, "count": 2}))
    for seed in (0, 1):
        shutil.copytree(view_run, root / "desert" / f"{seed:06d}", copy_function=os.link)
    return root


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; CI installs it (.ci/run), so a missing one is a failure, not a skip."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)", pytrace=False)
    return CHROMIUM
