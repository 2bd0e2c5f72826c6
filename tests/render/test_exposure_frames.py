"""No frame comes out dark: auto-exposure puts a forest's and a cave's image.png near the middle."""

import json

import numpy as np
import pytest

from wildsynth.io.png import read_png
from wildsynth.render.settings import RenderSettings
from wildsynth.run import RunOptions, RunSpec, run
from wildsynth.scenes import get

pytestmark = [pytest.mark.blender, pytest.mark.slow]


@pytest.mark.parametrize("scene", ["forest", "cave"])
def test_tiny_frame_is_neither_dark_nor_washed_out(tmp_path, scene):
    out = tmp_path / scene
    run(RunSpec(scene, 0, get(scene).params(), RenderSettings(width=96, height=54, samples=4), out,
                RunOptions(formats=())))
    img = read_png(out / "image.png")[..., :3].astype(np.float64) / 255.0
    luma = float((img @ [0.2126, 0.7152, 0.0722]).mean())
    assert 0.25 < luma < 0.65, luma
    film = json.loads((out / "frame.json").read_text())["film"]
    assert film["auto"] and film["exposure_ev"] > 0.0  # both are darker than open daylight
