"""Render and camera settings: defaults (every camera effect off, auto-exposure on) and one-line
errors for bad values, from the model and from ``wildsynth generate --render``."""

import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.cli.common import render_settings
from wildsynth.params import UserError
from wildsynth.render.settings import SENSORS_MM, RenderSettings


def test_defaults_are_a_pinhole_with_auto_exposure():
    s = RenderSettings()
    assert s.exposure is None and s.exposure_compensation == 0.0
    assert s.fstop is None and s.iso is None and s.vignetting == 0.0 and s.shutter == 0.0
    assert s.aerial_perspective and not s.volumetric_clouds
    assert s.sensor == "full_frame" and s.sensor_mm == (36.0, 24.0)
    assert set(SENSORS_MM) == {"full_frame", "aps_c", "micro_four_thirds", "one_inch"}


def test_overrides_reach_the_settings():
    s = render_settings(320, 180, 8, True, "cpu", ["fstop=2.8", "focus_distance=4", "iso=800", "vignetting=0.5",
                                                    "sensor=one_inch", "exposure=-1.5", "diffuse_bounces=2"])
    assert (s.width, s.height, s.samples, s.device) == (320, 180, 8, "cpu")
    assert (s.fstop, s.focus_distance, s.iso, s.vignetting, s.sensor, s.exposure, s.diffuse_bounces) == \
        (2.8, 4.0, 800.0, 0.5, "one_inch", -1.5, 2)
    assert render_settings(320, 180, 8, True, "cpu", ["exposure=null"]).exposure is None


@pytest.mark.parametrize("item, words", [
    ("fstop=0.2", ["fstop", "0.7"]), ("iso=10", ["iso", "50"]), ("vignetting=2", ["vignetting", "1"]),
    ("sensor=huge", ["sensor", "aps_c"]), ("focus_distance=0", ["focus_distance", "0"]),
    ("exposure=99", ["exposure", "20"]), ("exposure_compensation=x", ["exposure_compensation"]),
    ("view_transform=Log", ["view_transform", "AgX"]), ("shutter_speed=0.5", ["shutter_speed", "unknown"]), ("shutter=2", ["shutter", "1"]),
    ("shutter_steps=1", ["shutter_steps", "2"]), ("fstop", ["key=value"]),
])
def test_bad_values_are_one_line_errors(item, words):
    with pytest.raises(UserError) as e:
        render_settings(64, 36, 4, True, "cpu", [item])
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("--render ")
    for w in words:
        assert w in msg


def test_cli_refuses_a_bad_render_setting_before_any_work(tmp_path):
    out = tmp_path / "frame"
    r = CliRunner().invoke(app, ["generate", "--out", str(out), "--resolution", "64x36", "--render", "iso=1"])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--render iso" in lines[0]
    assert not out.exists()
