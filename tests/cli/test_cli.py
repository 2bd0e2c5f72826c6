"""End to end through the CLI: a tiny frame, every file checked; bad input fails cleanly."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from wildsynth.cli import app
from wildsynth.io import read_exr, read_json, read_png
from wildsynth.io.ids import read_id_png

pytestmark = pytest.mark.blender  # renders with Cycles

runner = CliRunner()


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    out = tmp_path_factory.mktemp("frame") / "f"
    r = runner.invoke(app, ["generate", "--seed", "1", "--out", str(out), "--resolution", "64x48",
                            "--samples", "4", "--set", "rocks.count=40"])
    assert r.exit_code == 0, r.output
    return out


def test_generate_writes_every_file(frame):
    names = sorted(p.name for p in frame.iterdir())
    view_files = read_json(frame / "frame.json")["files"]
    run_files = ["objects.json", "transforms.json", "colmap", "panoptic_main.json", "scene.json"]
    assert names == sorted(view_files + run_files)
    assert not any(n.startswith("flow") for n in names)  # a still has no neighbours: no flow
    img = read_png(frame / "image.png")
    assert img.shape == (48, 64, 3) and img.dtype == np.uint8 and img.std() > 1
    lin = read_exr(frame / "image.exr", separate=True)
    assert set(lin) == {"R", "G", "B"} and np.all(np.isfinite(lin["R"]))
    depth = read_exr(frame / "depth.exr")["Z"]
    assert depth.shape == (48, 64) and depth.dtype == np.float32
    assert np.isinf(depth).any() and (depth[np.isfinite(depth)] > 0).all()
    n = read_exr(frame / "normal.exr", separate=True)
    nn = np.stack([n["X"], n["Y"], n["Z"]], -1)
    hit = np.isfinite(depth)
    assert np.allclose(np.linalg.norm(nn[hit], axis=-1), 1.0, atol=1e-3)
    assert np.all(nn[~hit] == 0)
    inst = read_id_png(frame / "instance.png")
    sem = read_png(frame / "semantic.png")
    assert np.all((inst == 0) == ~hit) and np.all((sem == 0) == ~hit)
    objects = read_json(frame / "objects.json")
    by_id = {o["id"]: o for o in objects["objects"]}
    for i in np.unique(inst[hit]):
        assert int(i) in by_id
        assert sem[inst == i].max() == by_id[int(i)]["class_id"]
    cam = read_json(frame / "camera.json")
    assert cam["width"] == 64 and np.array(cam["K"]).shape == (3, 3)
    tf = read_json(frame / "transforms.json")
    assert tf["w"] == 64 and len(tf["frames"]) == 1
    meta = read_json(frame / "scene.json")
    assert meta["seed"] == 1 and meta["params"]["rocks"]["count"] == 40 and meta["render"]["samples"] == 4
    sheet = read_png(frame / "preview.png")
    assert sheet.shape[1] >= 5 * 64


def test_params_lists_every_parameter():
    r = runner.invoke(app, ["params", "meadow"])
    assert r.exit_code == 0
    for name in ("terrain.mountain_height", "rocks.count", "camera.hfov", "sky.hour", "sky.clouds"):
        assert name in r.output


@pytest.mark.parametrize("args, needle", [
    (["--scene", "volcano"], "unknown scene"),
    (["--resolution", "0x5"], "--resolution"),
    (["--set", "trees.dnsity=3"], "trees.dnsity"),
    (["--set", "rocks.count=-4"], "rocks.count"),
    (["--set", "rocks.count=many"], "rocks.count"),
    (["--set", "camera.hfov"], "key=value"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, args, needle):
    out = tmp_path / "never"
    r = runner.invoke(app, ["generate", "--out", str(out), *args])
    assert r.exit_code == 2, r.output
    msg = r.output.strip()
    assert needle in msg and "Traceback" not in msg
    assert len(msg.splitlines()) <= 3  # one message (a long one may wrap)
    assert not out.exists()


def test_output_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    r = runner.invoke(app, ["generate", "--out", str(f), "--resolution", "64x48"])
    assert r.exit_code == 2 and "not a folder" in r.output
    assert f.read_text() == "x"


def test_scene_json_regenerates_params(frame):
    from wildsynth.scenes import get

    meta = json.loads((frame / "scene.json").read_text())
    params = get(meta["scene"]).params.model_validate(meta["params"])
    assert params.rocks.count == 40


def test_override_keeps_scene_specific_nested_defaults():
    from wildsynth.params import apply_overrides, describe
    from wildsynth.scenes import get

    model = get("forest").params
    base = model()
    p = apply_overrides(model, ["camera.hfov=50"], what="forest")
    assert p.camera.hfov == 50 and p.terrain == base.terrain
    p = apply_overrides(model, ["terrain.hills_scale=99"], what="forest")
    assert p.terrain.hills_scale == 99 and p.terrain.hills_height == base.terrain.hills_height
    rows = {r["name"]: r["default"] for r in describe(model)}
    assert rows["terrain.hills_height"] == base.terrain.hills_height
