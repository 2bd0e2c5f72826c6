"""Every layout on a tiny real export, read back by the real third-party loaders where they run here
(torchvision's dataset classes, see ``torchvision_real.py``; pycolmap) and checked against our own readers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wildsynth.core.axes import opencv_to_opengl
from wildsynth.io import read_png
from wildsynth.io.cameras import read_nerf_transforms
from wildsynth.io.colmap import read_colmap
from wildsynth.io.kitti import read_disparity_kitti, read_flow_kitti
from wildsynth.io.pfm import read_pfm
from wildsynth.layouts import export_layout, open_run
from wildsynth.layouts.colmap import read_model_bin
from wildsynth.layouts.points import read_ply
from wildsynth.layouts.sintel import read_cam, read_dpt

from .conftest import FRAMES
from .torchvision_real import run_loaders

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _export(src, layout, out, *sets):
    rep = export_layout(src, layout, out, list(sets))
    assert (out / "wildsynth_layout.json").is_file()
    return rep


def _finite_everywhere(paths, reader):
    for p in paths:
        a = reader(p)
        assert np.isfinite(a if not isinstance(a, tuple) else a[0]).all(), p


def test_sintel_torchvision_pairs_n_minus_1_across_scenes(dataset_root, tmp_path):
    out = tmp_path / "sintel"
    rep = _export(dataset_root, "sintel", out)
    scenes = rep.summary["scenes"]
    assert sorted(scenes) == ["plains_000000_left", "plains_000000_right", "plains_000001_left",
                              "plains_000001_right"]  # finished jobs only
    tr = out / "Sintel" / "training"
    for s in scenes:
        assert len(list((tr / "clean" / s).glob("*.png"))) == FRAMES
        assert len(list((tr / "final" / s).glob("*.png"))) == FRAMES
        assert sorted(p.name for p in (tr / "flow" / s).glob("*.flo")) == [f"frame_{i:04d}.flo" for i in
                                                                          range(1, FRAMES)]
    res = run_loaders({"clean": {"cls": "Sintel", "root": str(out)},
                       "both": {"cls": "Sintel", "root": str(out), "kwargs": {"pass_name": "both"}}}, tmp_path)
    r = res["clean"]
    assert r["module"].startswith("torchvision.datasets")
    assert r["len"] == len(scenes) * (FRAMES - 1) and res["both"]["len"] == 2 * r["len"]
    for (im1, im2), flo, sample in zip(r["lists"]["_image_list"], r["lists"]["_flow_list"], r["samples"]):
        s1, i1 = re.search(r"clean/(\w+)/frame_(\d+)\.png", im1).groups()
        s2, i2 = re.search(r"clean/(\w+)/frame_(\d+)\.png", im2).groups()
        sf, fi = re.search(r"flow/(\w+)/frame_(\d+)\.flo", flo).groups()
        assert s1 == s2 == sf and int(i2) == int(i1) + 1 and fi == i1  # flow i pairs image i with i + 1
        job, cam = re.fullmatch(r"(plains_\d+)_(left|right)", s1).groups()
        view = open_run(dataset_root / "plains" / job.split("_")[1]).view(cam, int(i1) - 1)
        ours, visible = view.flow("fwd")
        img1, img2, flow = sample
        np.testing.assert_array_equal(img1, view.rgb())
        assert np.isfinite(flow).all()
        ok = np.all(np.isfinite(ours), axis=2)
        np.testing.assert_array_equal(flow.transpose(1, 2, 0)[ok], ours[ok])
        assert (np.abs(flow.transpose(1, 2, 0)[~ok]) > 1e9).all()
        occ = read_png(tr / "occlusions" / s1 / f"frame_{i1}.png") > 0
        inv = read_png(tr / "invalid" / s1 / f"frame_{i1}.png") > 0
        np.testing.assert_array_equal(~occ & ~inv, visible)
        np.testing.assert_array_equal(inv, ~np.isfinite(view.depth()) | ~ok)
        depth = read_dpt(tr / "depth" / s1 / f"frame_{i1}.dpt")
        z = view.depth()
        np.testing.assert_array_equal(depth[np.isfinite(z)], z[np.isfinite(z)])
        assert (depth[~np.isfinite(z)] == 0).all()
        K, N = read_cam(tr / "camdata_left" / s1 / f"frame_{i1}.cam")
        np.testing.assert_allclose(K, view.camera().K)
        np.testing.assert_allclose(N, view.camera().world_to_cam[:3], atol=1e-12)


def test_flyingthings3d_torchvision_flow_both_ways_and_scene_flow_stereo(stereo_run, tmp_path):
    out = tmp_path / "ft"
    _export(stereo_run, "flyingthings3d", out, "test_every=1")
    ft = out / "FlyingThings3D"
    res = run_loaders({"flow": {"cls": "FlyingThings3D", "root": str(out),
                                "kwargs": {"split": "test", "camera": "both"}},
                       "stereo": {"cls": "SceneFlowStereo", "root": str(out)}}, tmp_path)
    run = open_run(stereo_run)
    r = res["flow"]
    assert r["len"] == 2 * 2 * (FRAMES - 1)  # cameras x directions x pairs
    for (im1, im2), flo, (img1, img2, flow) in zip(r["lists"]["_image_list"], r["lists"]["_flow_list"],
                                                   r["samples"]):
        cam = re.search(r"/(left|right)/", im1).group(1)
        f1, f2 = (int(Path(p).stem) for p in (im1, im2))
        direction, fflow = re.search(r"(into_future|into_past)/\w+/OpticalFlowInto\w+_(\d+)_[LR]\.pfm", flo).groups()
        assert abs(f1 - f2) == 1 and int(fflow) == f1 and (f2 > f1) == (direction == "into_future")
        ours = run.view(cam, f1).flow("fwd" if direction == "into_future" else "bwd")[0]
        np.testing.assert_array_equal(img1, run.view(cam, f1).rgb())
        np.testing.assert_array_equal(img2, run.view(cam, f2).rgb())
        assert np.isfinite(flow).all()
        ok = np.all(np.isfinite(ours), axis=2)
        np.testing.assert_array_equal(flow.transpose(1, 2, 0)[ok], ours[ok])
    s = res["stereo"]
    assert s["len"] == FRAMES
    fx_b = run.view("left", 0).camera().K[0, 0] * run.baseline()
    for f, ((left, right), (dl, dr), (img_l, img_r, disp)) in enumerate(zip(s["lists"]["_images"],
                                                                         s["lists"]["_disparities"], s["samples"])):
        assert left.replace("left", "right") == right and "frames_cleanpass" in left
        assert dl == left.replace("frames_cleanpass", "disparity").replace(".png", ".pfm")
        np.testing.assert_array_equal(img_r, run.view("right", f).rgb())
        np.testing.assert_array_equal(disp[0], run.view("left", f).disparity()[0])
        assert np.isfinite(disp).all()
        z = run.view("left", f).depth()
        np.testing.assert_allclose(disp[0][np.isfinite(z)], fx_b / z[np.isfinite(z)], rtol=1e-5)
        dd = read_pfm(ft / "disparity_change" / "TEST" / "A" / "0000" / "into_future" / "left" / f"{f:04d}.pfm")
        dz = run.view("left", f).depth_change("fwd")
        ok = np.isfinite(z)
        np.testing.assert_allclose(dd[ok], fx_b / (z + dz)[ok] - disp[0][ok], rtol=1e-4, atol=1e-5)
    # RAFT-Stereo (core/stereo_datasets.py, SceneFlowDatasets._add_things): opens <root>/flyingthings_validation.txt
    # and keeps a TEST left image when its disparity path (dstype replaced by 'disparity', .png -> .pfm) is listed
    lines = (out / "flyingthings_validation.txt").read_text().splitlines()
    lefts = sorted((ft / "frames_cleanpass" / "TEST").glob("*/*/left/*.png"))
    wanted = {"datasets/" + str(p.relative_to(out)).replace("frames_cleanpass", "disparity").replace(".png", ".pfm")
              for p in lefts}
    assert len(lefts) == FRAMES and set(lines) == wanted
    cams = (ft / "camera_data" / "TEST" / "A" / "0000" / "camera_data.txt").read_text().split("\n\n")
    for f, block in enumerate(c for c in cams if c.strip()):
        rows = block.splitlines()
        assert rows[0] == f"Frame {f}" and rows[1][:2] == "L " and rows[2][:2] == "R "
        L = np.array(rows[1][2:].split(" "), float).reshape(4, 4)
        np.testing.assert_allclose(L, opencv_to_opengl(run.view("left", f).camera().cam_to_world))
    _finite_everywhere(ft.rglob("*.pfm"), read_pfm)
    assert (out / "SceneFlow" / "FlyingThings3D").resolve() == ft.resolve()


def test_kitti2015_torchvision_flow_occ_noc_and_stereo(stereo_run, tmp_path):
    out = tmp_path / "kitti"
    _export(stereo_run, "kitti2015", out)
    res = run_loaders({"flow": {"cls": "KittiFlow", "root": str(out)},
                       "stereo": {"cls": "Kitti2015Stereo", "root": str(out)}}, tmp_path)
    run = open_run(stereo_run)
    r = res["flow"]
    assert r["len"] == FRAMES - 1
    tr = out / "KITTI" / "training"
    for k, ((im1, im2), (img1, img2, flow, valid)) in enumerate(zip(r["lists"]["_image_list"], r["samples"])):
        assert Path(im1).name == f"{k:06d}_10.png" and Path(im2).name == f"{k:06d}_11.png"
        view = run.view("left", k)
        np.testing.assert_array_equal(img2, run.view("left", k + 1).rgb())
        ours, visible = view.flow("fwd")
        surface = np.isfinite(view.depth()) & np.all(np.isfinite(ours), axis=2)
        np.testing.assert_array_equal(valid, surface)  # occluded pixels count: flow_occ
        assert (valid & ~visible).any()  # the export has occluded/out-of-view pixels with flow
        np.testing.assert_allclose(flow.transpose(1, 2, 0)[valid], ours[valid], atol=0.5 / 64 + 1e-6)
        noc_flow, noc = read_flow_kitti(tr / "flow_noc" / f"{k:06d}_10.png")
        np.testing.assert_array_equal(noc, surface & visible)
        d0, v0 = read_disparity_kitti(tr / "disp_noc_0" / f"{k:06d}_10.png")
        np.testing.assert_array_equal(v0, view.disparity()[1] & np.isfinite(view.depth()))
    s = res["stereo"]
    assert s["len"] == FRAMES - 1  # Kitti2015/ holds the _10 images only
    for k, ((left, right), (img_l, img_r, disp, _)) in enumerate(zip(s["lists"]["_images"], s["samples"])):
        assert Path(left).name == Path(right).name == f"{k:06d}_10.png"
        d, _ = run.view("left", k).disparity()
        np.testing.assert_array_equal(img_r, run.view("right", k).rgb())
        ok = disp[0] > 0
        np.testing.assert_array_equal(ok, d > 0)
        np.testing.assert_allclose(disp[0][ok], d[ok], atol=1 / 256)  # 1/256 steps; the smallest stored is 1/256
    calib = (tr / "calib_cam_to_cam" / "000000.txt").read_text()
    p3 = np.array(re.search(r"P_rect_03: (.*)", calib).group(1).split(), float).reshape(3, 4)
    K = run.view("left", 0).camera().K
    np.testing.assert_allclose(-p3[0, 3] / p3[0, 0], run.baseline())
    np.testing.assert_allclose(p3[:, :3], K)


def test_nerfstudio_transforms_depth_masks_points(stereo_run, tmp_path):
    # nerfstudio is not installable here (its stack pins its own torch); read by its published data
    # conventions (docs.nerf.studio "Data conventions": file_path relative to transforms.json, OpenGL
    # camera-to-world, fl_x/fl_y/cx/cy/w/h, depth_file_path PNG x depth_unit_scale_factor, mask 0 = ignore,
    # ply_file_path, train/val/test_filenames)
    out = tmp_path / "ns"
    _export(stereo_run, "nerfstudio", out, "holdout_every=4")
    meta = json.loads((out / "transforms.json").read_text())
    run = open_run(stereo_run)
    views = [run.view(c, f) for c in run.cameras for f in run.frames]
    cams = read_nerf_transforms(meta)
    assert len(cams) == len(views) == 2 * FRAMES
    for fr, cam, v in zip(meta["frames"], cams, views):
        np.testing.assert_allclose(cam.cam_to_world, v.camera().cam_to_world, atol=1e-12)
        np.testing.assert_array_equal(read_png(out / fr["file_path"])[..., :3], v.rgb())
        z = v.depth()
        d = read_png(out / fr["depth_file_path"]).astype(float) * meta["depth_unit_scale_factor"]
        ok = np.isfinite(z)
        assert (np.abs(d[ok] - z[ok]) <= meta["depth_unit_scale_factor"] / 2 + 1e-9).all() and (d[~ok] == 0).all()
        mask = read_png(out / fr["mask_path"])
        assert set(np.unique(mask)) <= {0, 255}
    paths = [f["file_path"] for f in meta["frames"]]
    assert meta["train_filenames"] == paths[:3] + paths[4:]  # every 4th image held out
    assert meta["val_filenames"] == meta["test_filenames"] == [meta["frames"][3]["file_path"]]
    xyz, rgb, normal = read_ply(out / meta["ply_file_path"])
    assert len(xyz) > 1000 and np.isfinite(xyz).all()
    # every point lies on the surface some view sees: it projects onto a pixel whose depth it has
    hits = np.zeros(len(xyz), bool)
    for v in views:
        cam, z = v.camera(), v.depth()
        uv, zc = cam.project(xyz.astype(np.float64))
        j, i = np.floor(uv[:, 0]).astype(int), np.floor(uv[:, 1]).astype(int)
        inside = (zc > 0) & (j >= 0) & (j < cam.width) & (i >= 0) & (i < cam.height)
        close = np.zeros(len(xyz), bool)
        close[inside] = np.abs(z[i[inside], j[inside]] - zc[inside]) < 1e-3 * zc[inside] + 1e-3
        hits |= close
    assert hits.mean() > 0.999


def test_colmap_3dgs_points3d_real_and_consistent(dataset_root, tmp_path):
    import pycolmap

    out = tmp_path / "colmap"
    rep = _export(dataset_root, "colmap", out, "points=5000")
    assert [s["folder"] for s in rep.summary["scenes"]] == ["plains_000000/", "plains_000001/"]
    run = open_run(dataset_root / "plains" / "000000")
    sparse = out / "plains_000000" / "sparse" / "0"
    cams, names = read_colmap(sparse)  # our own text reader
    views = [run.view(c, f) for c in run.cameras for f in run.frames]
    assert names == [f"{v.camera_name}_{v.frame:06d}.png" for v in views]
    for cam, v, name in zip(cams, views, names):
        np.testing.assert_allclose(cam.cam_to_world, v.camera().cam_to_world, atol=1e-9)
        assert (out / "plains_000000" / "images" / name).is_file()
    model = read_model_bin(sparse)
    assert 1000 < len(model["xyz"]) <= 5000
    rec = pycolmap.Reconstruction(str(sparse))  # COLMAP's own reader
    assert len(rec.points3D) == len(model["xyz"]) and len(rec.images) == len(views)
    by_name = {im.name: im for im in rec.images.values()}
    for v in views:
        im = by_name[f"{v.camera_name}_{v.frame:06d}.png"]
        w2c = np.vstack([im.cam_from_world().matrix(), [0, 0, 0, 1]])
        np.testing.assert_allclose(w2c, v.camera().world_to_cam, atol=1e-9)
    rgb_by_view = [v.rgb() for v in views]
    depth_by_view = [v.depth() for v in views]
    for pid, p in list(rec.points3D.items())[::50]:
        el = p.track.elements[0]
        im = rec.images[el.image_id]
        xy = im.points2D[el.point2D_idx].xy
        k = el.image_id - 1
        uv, z = views[k].camera().project(p.xyz[None])
        np.testing.assert_allclose(uv[0], xy, atol=1e-6)  # the point sits on its 2D observation
        j, i = int(xy[0]), int(xy[1])
        np.testing.assert_allclose(z[0], depth_by_view[k][i, j], rtol=1e-5)  # at the exact depth
        np.testing.assert_array_equal(p.color, rgb_by_view[k][i, j])


def test_eth3d_torchvision_and_middlebury_raft_stereo_rules(stereo_run, tmp_path):
    out = tmp_path / "two"
    _export(stereo_run, "eth3d", out)
    rep = _export(stereo_run, "middlebury", tmp_path / "mb")
    run = open_run(stereo_run)
    r = run_loaders({"eth3d": {"cls": "ETH3DStereo", "root": str(out)}}, tmp_path)["eth3d"]
    assert r["len"] == FRAMES
    for f, ((left, right), (img_l, img_r, disp, valid)) in enumerate(zip(r["lists"]["_images"], r["samples"])):
        assert Path(left).parent.name == Path(right).parent.name == f"walk_{f:06d}"
        v = run.view("left", f)
        d, visible = v.disparity()
        np.testing.assert_array_equal(img_l, v.rgb())
        np.testing.assert_array_equal(img_r, run.view("right", f).rgb())
        np.testing.assert_array_equal(disp[0], d)
        assert np.isfinite(disp).all()
        np.testing.assert_array_equal(valid, visible & np.isfinite(v.depth()) & (d > 0))
    # RAFT-Stereo (core/stereo_datasets.py, Middlebury; frame_utils.readDispMiddlebury): scene names are the
    # trainingF folders listed in MiddEval3/official_train.txt; valid = mask0nocc == 255
    mb = tmp_path / "mb" / "MiddEval3"
    listed = (mb / "official_train.txt").read_text().splitlines()
    names = sorted(p.name for p in (mb / "trainingF").iterdir() if p.name in listed)
    assert names == rep.summary["scenes"] == [f"walk_{f:06d}" for f in range(FRAMES)]
    for f, name in enumerate(names):
        scene = mb / "trainingF" / name
        d = read_pfm(scene / "disp0GT.pfm")
        nocc = read_png(scene / "mask0nocc.png") == 255
        ours, visible = run.view("left", f).disparity()
        np.testing.assert_array_equal(d, ours)
        assert nocc.any() and np.isfinite(d).all()
        calib = dict(line.split("=", 1) for line in (scene / "calib.txt").read_text().splitlines())
        fx = float(calib["cam0"].strip("[]").split()[0])
        z = run.view("left", f).depth()
        # Middlebury: Z = baseline * f / (d + doffs), baseline in mm
        np.testing.assert_allclose(float(calib["baseline"]) * fx / (d[nocc] + float(calib["doffs"])) / 1000,
                                   z[nocc], rtol=1e-5)


def test_cli_export_layout_and_refusals(stereo_run, tmp_path):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "wildsynth.cli", "export-layout", *args], capture_output=True,
                              text=True, timeout=300)

    out = tmp_path / "k"
    r = cli(str(stereo_run), "--as", "kitti2015", "--out", str(out), "--set", "task=stereo")
    assert r.returncode == 0, r.stderr
    assert len(list((out / "KITTI" / "training" / "image_2").glob("*.png"))) == FRAMES  # _10 only, every frame
    assert (out / "KITTI" / "training" / "image_2" / "000000_10.png").stat().st_ino == \
        (stereo_run / "left" / "000000" / "image.png").stat().st_ino  # hard-linked, not copied
    r = cli(str(stereo_run), "--as", "kitti2015", "--out", str(out))
    assert r.returncode == 2 and "--overwrite" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = cli(str(stereo_run), "--as", "kitti2015", "--out", str(out), "--overwrite", "--link", "copy")
    assert r.returncode == 0
    assert len(list((out / "KITTI" / "training" / "image_2").glob("*.png"))) == 2 * (FRAMES - 1)
    broken = tmp_path / "broken"  # a run one of whose views lacks its depth files: one line, nothing written
    shutil.copytree(stereo_run, broken, copy_function=os.link)
    for f in (broken / "left" / "000001").glob("depth.*"):
        f.unlink()
    r = cli(str(broken), "--as", "sintel", "--out", str(tmp_path / "d"))
    assert r.returncode == 2 and "needs depth.exr or depth.pfm" in r.stderr and not (tmp_path / "d").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging")]
    for args, words in (((str(stereo_run), "--as", "nope", "--out", str(tmp_path / "a")), "unknown layout"),
                        ((str(tmp_path), "--as", "sintel", "--out", str(tmp_path / "b")), "neither a finished run"),
                        ((str(stereo_run), "--as", "sintel", "--out", str(tmp_path / "c"), "--set", "depth=maybe"),
                         "depth")):
        r = cli(*args)
        assert r.returncode == 2 and words in r.stderr, r.stderr
        assert not (tmp_path / "a").exists() and not (tmp_path / "c").exists()
