"""Registry-driven: every registered file format writes its files in a real run, and they read back."""

from pathlib import Path

import numpy as np
import pytest

from wildsynth.io import read_exr, read_json, read_png
from wildsynth.io.colmap import read_colmap
from wildsynth.io.compact import read_compact
from wildsynth.io.flo import read_flo
from wildsynth.io.pfm import read_pfm
from wildsynth.io.tracks import read_anno
from wildsynth.run import FORMATS

pytestmark = [pytest.mark.blender, pytest.mark.slow]

W, H = 24, 16


def _run(out: Path, formats: tuple[str, ...]) -> set[str]:
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    params = get("meadow").params.model_validate({"rocks": {"count": 5}})
    opts = RunOptions(shot={"frames": 2, "rig": "stereo", "baseline": 0.2, "trajectory": {"kind": "dolly"}},
                      motion={"particles": 0}, formats=formats)
    run(RunSpec("meadow", 0, params, RenderSettings(width=W, height=H, samples=1, denoise=False), out, opts))
    return {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("png") / "run", ())


def _read(path: Path):
    """Read a file with the reader of its format; returns something with a size."""
    name = path.name
    if name.endswith(".exr"):
        return read_exr(path, separate=True)
    if name.endswith(".pfm"):
        return read_pfm(path)
    if name.endswith(".flo"):
        return read_flo(path)[0]
    if name.endswith(".png"):
        return read_png(path)
    if name.endswith(".json"):
        return read_json(path)
    if name == "compact.npz":
        return read_compact(path)["depth"]
    if name.endswith(".npz"):
        return read_anno(path)
    if path.parent.name == "colmap":
        return read_colmap(path.parent)[0]
    raise AssertionError(f"no reader for {path}")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_files_that_read_back(tmp_path, baseline, name):
    out = tmp_path / "run"
    files = _run(out, (name,))
    extra = files - baseline
    assert extra, f"format {name} wrote nothing"
    assert baseline <= files  # the PNG previews and JSON are always there
    for rel in sorted(extra):
        data = _read(out / rel)
        if isinstance(data, dict):
            assert data
        else:
            assert np.size(data) > 0
    if FORMATS[name].view is not None:  # a per-view format writes into every view folder
        for cam in ("left", "right"):
            for frame in (0, 1):
                assert any(r.startswith(f"{cam}/{frame:06d}/") for r in extra), (name, cam, frame)
