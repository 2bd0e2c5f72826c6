"""The dataset tasks end to end, rendered tiny (desert, 48x32, 4 samples): files, conventions and
the checks that could fail (warps against the target render, masks complementary, flow, maps)."""

import json
from pathlib import Path

import numpy as np
import pytest

from wildsynth.io import read_png
from wildsynth.io.ids import read_id_png

pytestmark = [pytest.mark.blender, pytest.mark.slow]

SIZE = {"width": 48, "height": 32, "samples": 4, "denoise": False, "threads": 1}


def make(root: Path, task: str, options: dict, scene: str = "desert", count: int = 1) -> list[Path]:
    from wildsynth.dataset.jobs import make_spec, plan_jobs, save_spec
    from wildsynth.dataset.worker import JobTask, run_job
    from wildsynth.tasks import finish_dataset

    spec = make_spec(scenes={scene: 1.0}, out=root, task=task, task_options=options, count=count, render=SIZE)
    save_spec(spec)
    folders = []
    for job in plan_jobs(spec):
        rec = run_job(JobTask.from_job(job, spec))
        assert rec["status"] == "done", rec.get("traceback")
        assert (job.folder / "scene.json").is_file()
        folders.append(job.folder)
    finish_dataset(root)
    return folders


def _landing_ids(ids: np.ndarray, flow: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ids where each pixel lands (by ``flow``), and the valid pixels whose four neighbouring
    pixel centres there all hold one id (away from id edges, where rounding picks either side)."""
    h, w = valid.shape
    vv, uu = np.mgrid[0:h, 0:w]
    x0 = np.clip(np.floor(np.nan_to_num(uu + flow[..., 0])).astype(int), 0, w - 2)
    y0 = np.clip(np.floor(np.nan_to_num(vv + flow[..., 1])).astype(int), 0, h - 2)
    nb = [ids[y0, x0], ids[y0, x0 + 1], ids[y0 + 1, x0], ids[y0 + 1, x0 + 1]]
    same = (nb[0] == nb[1]) & (nb[0] == nb[2]) & (nb[0] == nb[3])
    return nb[0], valid & same


@pytest.fixture(scope="module")
def nvs(tmp_path_factory):
    return make(tmp_path_factory.mktemp("nvs"), "nvs", {"targets": 1, "distance": 0.4})[0]


def test_nvs_warps_agree_with_the_target(nvs):
    from wildsynth.layouts.source import open_run

    meta = json.loads((nvs / "nvs.json").read_text())
    t = meta["targets"][0]
    valid, occluded = read_png(nvs / "t01_valid.png") > 0, read_png(nvs / "t01_occluded.png") > 0
    splat_ok, hole = read_png(nvs / "t01_splat_valid.png") > 0, read_png(nvs / "t01_hole.png") > 0
    assert (valid ^ occluded).all() and (splat_ok ^ hole).all()
    assert valid.mean() > 0.3
    # exact: the source's instance ids, taken where each valid target pixel lands, are the target's
    run = open_run(nvs / "run")
    src, dst = run.views(run.cameras[0])
    flow = np.load(nvs / "t01_flow.npy")
    ids, m = _landing_ids(src.instance(), flow, valid)
    assert m.mean() > 0.2 and (ids[m] == dst.instance()[m]).mean() > 0.97
    # the splat's z-buffer kept the target's own surface where both are valid: its depth is the
    # target's within the target's depth change over one pixel (the splatted points lie within a pixel)
    from wildsynth.gt.flow import _slope

    both = valid & splat_ok
    zt, zs = dst.depth(), np.load(nvs / "t01_splat_depth.npy")
    with np.errstate(invalid="ignore"):  # inf - inf on sky
        near = np.abs(zs - zt) <= _slope(zt) + 0.01 * zt
    assert both.mean() > 0.2 and near[both].mean() > 0.97
    # RGB: both warps are much closer to the target than the unwarped source is
    rgb_s, rgb_t = read_png(src.image)[..., :3] / 255.0, read_png(dst.image)[..., :3] / 255.0
    warp, splat = read_png(nvs / "t01_warp.png") / 255.0, read_png(nvs / "t01_splat.png") / 255.0

    def mse(a, m):
        return float(np.mean((a[m] - rgb_t[m]) ** 2))

    assert mse(warp, valid) < 0.5 * mse(rgb_s, valid) and mse(splat, both) < 0.5 * mse(rgb_s, both)
    assert t["warp_psnr_valid"] > 20 and t["splat_psnr_both_valid"] > 18
    T = np.asarray(t["source_to_target"])
    assert np.allclose(T, dst.camera().world_to_cam @ src.camera().cam_to_world, atol=1e-6)


def test_pairs_files_and_imagefolder(tmp_path):
    from wildsynth.gt.captions import parse_caption
    from wildsynth.tasks.common import decode_disparity16
    from wildsynth.tasks.pairs import read_pairs

    (job,) = make(tmp_path, "pairs", {"split": [1.0, 0.0, 0.0]})
    meta = json.loads((job / "pair.json").read_text())
    depth = np.load(job / "depth.npy")
    dec = decode_disparity16(read_png(job / "depth.png"), meta["depth"])
    disp = 1 / depth[np.isfinite(depth)]
    inside = np.isfinite(depth) & (1 / np.where(np.isfinite(depth), depth, 1) > meta["depth"]["disparity_lo"]) \
        & (1 / np.where(np.isfinite(depth), depth, 1) < meta["depth"]["disparity_hi"])
    assert np.allclose(dec[inside], depth[inside], rtol=2e-3) and len(disp)
    assert np.isinf(dec[~np.isfinite(depth)]).all()
    n = np.load(job / "normal.npy")
    assert np.abs(read_png(job / "normal.png") / 127.5 - 1 - n)[np.isfinite(depth)].max() < 0.01
    assert (read_id_png(job / "semantic_ids.png") == read_png(job / "run" / "semantic.png")).all()
    rows = read_pairs(tmp_path / "imagefolder" / "train")
    assert len(rows) == 1 and (rows[0]["image"] == read_png(job / "image.png")).all()
    line = json.loads((tmp_path / "imagefolder" / "train" / "metadata.jsonl").read_text().splitlines()[0])
    assert line["conditioning_image_file_name"] == line["depth_file_name"]
    caption = (job / "caption.txt").read_text().strip()
    assert caption and parse_caption(caption) == json.loads((job / "run" / "caption.json").read_text())["attributes"]


def test_clips_arrays_poses_and_flow(tmp_path):
    from wildsynth.layouts.source import open_run

    (job,) = make(tmp_path, "clips", {"frames": 3, "fps": 4.0})
    rgb, depth = np.load(job / "rgb.npy"), np.load(job / "depth.npy")
    fwd, ok = np.load(job / "flow_fwd.npy"), np.load(job / "flow_fwd_valid.npy")
    assert rgb.shape == (3, 32, 48, 3) and depth.shape == (3, 32, 48) and fwd.shape == (3, 32, 48, 2)
    poses = json.loads((job / "poses.json").read_text())["frames"]
    assert len(poses) == 3 and poses[1]["time"] == pytest.approx(0.25)
    assert not np.allclose(poses[0]["cam_to_world"], poses[2]["cam_to_world"])  # the camera moved
    run = open_run(job / "run")
    views = run.views(run.cameras[0])
    moving = run.moving_ids()  # sub-pixel falling leaves land on a pixel that shows what lies behind them
    for t in range(2):  # the flow of frame t lands on the same (static) thing in frame t+1
        ids, m = _landing_ids(views[t + 1].instance(), fwd[t], ok[t])
        here = views[t].instance()
        m &= ~np.isin(here, moving) & ~np.isin(ids, moving)
        assert m.mean() > 0.2 and (ids[m] == here[m]).mean() > 0.97


def test_objects_task_writes_an_object_set_with_captions(tmp_path):
    from wildsynth.generators.assets import resolve_kinds
    from wildsynth.objects.captions import parse_object_caption

    folders = make(tmp_path, "objects", {"kind": "rock_boulder", "views": 2, "size": 32}, count=2)
    for f in folders:
        assert (f / "000.png").is_file() and (f / "001.npy").is_file() and (f / "object.json").is_file()
        cap = json.loads((f / "caption.json").read_text())
        assert (f / "caption.txt").read_text().strip() == cap["canonical"]
        assert parse_object_caption(cap["canonical"], resolve_kinds("all")) == cap["attributes"]
    base = tmp_path / "objects"
    assert sorted(json.loads((base / "valid_paths.json").read_text())) == ["000000", "000001"]
    rows = (base / "metadata.jsonl").read_text().splitlines()
    assert len(rows) == 4 and json.loads(rows[0])["file_name"] == "000000/000.png"


def test_world_maps(tmp_path):
    from wildsynth.core.seeds import SeedTree
    from wildsynth.scenes import get

    (job,) = make(tmp_path, "world", {"cells": 32, "extent": 64.0})
    meta = json.loads((job / "world.json").read_text())
    height = np.load(job / "height.npy")
    assert height.shape == (32, 32) and np.isfinite(height).all()
    recipe = get("desert")
    layout = recipe.layout(recipe.params(), SeedTree(0).child("scene"))
    i, j = 5, 20  # column, row
    x = meta["x0"] + (i + 0.5) * meta["cell_m"]
    y = meta["y1"] - (j + 0.5) * meta["cell_m"]
    assert height[j, i] == pytest.approx(float(layout.ground.height(np.array([x]), np.array([y]))[0]), abs=1e-4)
    sem = read_png(job / "semantic.png")
    names = {v["name"] for v in meta["classes"].values()}
    assert "sand" in names and (sem > 0).mean() == pytest.approx(read_png(job / "covered.png").mean() / 255, abs=1e-6)
    view = meta["views"][0]
    col, row = view["map_col_row"]
    assert col == pytest.approx(16.0) and row == pytest.approx(16.0)  # the map is centred on the first camera
    pos = np.asarray(view["cam_to_world"])[:3, 3]
    ground = height[int(row), int(col)]
    assert pos[2] - ground == pytest.approx(view["height_above_ground_m"], abs=0.5)
