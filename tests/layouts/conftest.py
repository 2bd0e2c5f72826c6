"""One tiny real stereo sequence for every layout test, rendered once per test session, and a dataset root
holding it as two finished jobs (hard-linked copies) and one pending job."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FRAMES = 3


@pytest.fixture(scope="session")
def stereo_run(tmp_path_factory) -> Path:
    """``wildsynth generate --scene plains --frames 3 --rig stereo --resolution 96x64 --samples 2`` (with point tracks)."""
    out = tmp_path_factory.mktemp("layout_src") / "walk"
    cmd = [sys.executable, "-m", "wildsynth.cli", "generate", "--scene", "plains", "--frames", str(FRAMES), "--rig",
           "stereo", "--resolution", "96x64", "--samples", "2", "--formats", "exr,pfm,flo,kitti,tracks", "--motion",
           "particles=40", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def dataset_root(stereo_run, tmp_path_factory) -> Path:
    """A dataset root (dataset.json) whose jobs plains/000000 and plains/000001 are finished (the same run,
    hard-linked) and plains/000002 is not."""
    root = tmp_path_factory.mktemp("layout_ds") / "ds"
    root.mkdir()
    (root / "dataset.json").write_text(json.dumps({"scenes": {"plains": 1.0}, "seed": 0, "count": 3}))
    for seed in (0, 1):
        shutil.copytree(stereo_run, root / "plains" / f"{seed:06d}", copy_function=os.link)
    (root / "plains" / "000002").mkdir()
    return root
