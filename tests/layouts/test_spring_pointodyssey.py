"""Spring and PointOdyssey exports of the tiny stereo sequence, read back the way their own loaders read them.

Neither loader is installable here (the Spring SDK's ``flow_IO``/``SpringFlowDataset`` and PointOdyssey's
``PointOdysseyDataset`` live in their authors' repositories and import torch, cv2 and albumentations), so
the reading rules below are written from their published code and documentation:

- Spring (spring-benchmark.org, "Spring: A High-Resolution High-Detail Dataset and Benchmark for Scene
  Flow, Optical Flow and Stereo", Mehl et al., CVPR 2023; SDK ``flow_IO.readFlo5File`` /
  ``readDispFile``): ``train/<scene>/frame_<cam>/frame_<cam>_%04d.png`` sorted, from 1; FW flow of frames
  1..N-1 and BW flow of 2..N in ``flow_<dir>_<cam>/flow_<dir>_<cam>_%04d.flo5`` (HDF5 key ``flow``);
  ``disp1_<cam>_%04d.dsp5`` (key ``disparity``), stored positive; ground truth at 2x, used as ``gt[::2, ::2]``.
- PointOdyssey (Zheng et al., ICCV 2023; its ``PointOdysseyDataset``): videos are ``<split>/*/`` with
  ``info.npz`` and ``anno.npz``; ``info['trajs_3d']`` is the tracks' shape; ``rgbs/rgb_%05d.jpg``,
  ``depths/depth_%05d.png`` read as ``png / 65535 * 1000`` metres, ``normals/normal_%05d.jpg``;
  ``trajs_pix = intrinsics @ (extrinsics @ trajs_3d)`` re-projected by the loader.
"""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import map_coordinates

from wildsynth.io import read_png
from wildsynth.io.tracks import read_anno
from wildsynth.layouts import export_layout, open_run
from wildsynth.layouts.pointodyssey import decode_depth_po, encode_depth_po, encode_normals8
from wildsynth.layouts.spring import read_h5, spring_flow, upsample2

from .conftest import FRAMES


def test_upsample_and_flow_encoding_round_trip():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert upsample2(a).shape == (4, 6) and np.array_equal(upsample2(a)[::2, ::2], a)
    flow = np.zeros((2, 2, 2), np.float32)
    flow[0, 1] = np.nan
    f = spring_flow(flow)
    assert np.isfinite(f).all() and f.shape == (4, 4, 2) and f[0, 2, 0] == 1e10 and f[::2, ::2][1, 1, 0] == 0


def test_pointodyssey_depth_and_normal_encodings():
    z = np.array([[0.5, np.inf], [999.9, 1200.0]], np.float32)
    q = encode_depth_po(z)
    assert q.dtype == np.uint16 and q[0, 1] == 0 and q[1, 1] == 0  # sky and beyond 1000 m: invalid
    back = decode_depth_po(q)
    assert abs(back[0, 0] - 0.5) <= 1000 / 65535 / 2 + 1e-6 and abs(back[1, 0] - 999.9) < 0.01
    n = encode_normals8(np.array([[[0.0, 0.0, -1.0]]]))
    assert n.tolist() == [[[128, 128, 0]]]


@pytest.mark.blender
@pytest.mark.slow
def test_spring_loader_rules_pairs_and_values(stereo_run, tmp_path):
    out = tmp_path / "spring"
    rep = export_layout(stereo_run, "spring", out, [])
    assert rep.summary["scenes"][0]["cameras"] == {"left": "left", "right": "right"}
    run = open_run(stereo_run)
    seq_root = out / "spring" / "train"
    scenes = sorted(os.listdir(seq_root))
    assert scenes == ["0001"]
    pairs = []
    for scene in scenes:  # SpringFlowDataset's enumeration
        for cam in ("left", "right"):
            images = sorted(glob.glob(str(seq_root / scene / f"frame_{cam}" / "*.png")))
            assert len(images) == FRAMES
            pairs += [(f, scene, cam, "FW") for f in range(1, len(images))]
            pairs += [(f, scene, cam, "BW") for f in reversed(range(2, len(images) + 1))]
    assert len(pairs) == 2 * 2 * (FRAMES - 1)
    for frame, scene, cam, direction in pairs:
        img1 = seq_root / scene / f"frame_{cam}" / f"frame_{cam}_{frame:04d}.png"
        other = frame + 1 if direction == "FW" else frame - 1
        assert (seq_root / scene / f"frame_{cam}" / f"frame_{cam}_{other:04d}.png").is_file()
        flow = read_h5(seq_root / scene / f"flow_{direction}_{cam}" / f"flow_{direction}_{cam}_{frame:04d}.flo5",
                       "flow")
        assert np.isfinite(flow).all()
        flow = flow[::2, ::2]  # subsample_groundtruth
        view = run.view(cam, run.frames[frame - 1])
        assert np.array_equal(read_png(img1), read_png(view.image))
        ours, _ = view.flow("fwd" if direction == "FW" else "bwd")
        ok = np.all(np.isfinite(ours), axis=2)
        assert flow.shape == ours.shape and ok.mean() > 0.9
        np.testing.assert_array_equal(flow[ok], ours[ok])
        assert (flow[~ok] == 1e10).all()
    for cam in ("left", "right"):  # SpringStereoDataset opens disp1 of every camera it lists
        for frame in range(1, FRAMES + 1):
            disp = read_h5(seq_root / "0001" / f"disp1_{cam}" / f"disp1_{cam}_{frame:04d}.dsp5", "disparity")[::2, ::2]
            ours = run.view(cam, run.frames[frame - 1]).disparity()[0]
            np.testing.assert_array_equal(disp, ours)
            assert (disp >= 0).all()
    # disp2 FW of frame 1 = the disparity at frame 2 of each frame-1 point: where that point is visible at
    # frame 2 on a smooth surface, it equals frame 2's disparity at the pixel the flow leads to
    d2 = read_h5(seq_root / "0001" / "disp2_FW_left" / "disp2_FW_left_0001.dsp5", "disparity")[::2, ::2]
    v0, v1 = run.view("left", run.frames[0]), run.view("left", run.frames[1])
    flow, vis = v0.flow("fwd")
    d1 = v1.disparity()[0]
    h, w = d1.shape
    pad = np.pad(d1, 1, mode="edge")
    nb = np.stack([pad[1 + dy:h + 1 + dy, 1 + dx:w + 1 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    smooth = (nb.max(0) - nb.min(0)) < 0.1 * np.maximum(d1, 1e-6)
    vv, uu = np.mgrid[0:h, 0:w]
    fu, fv = np.nan_to_num(flow[..., 0]), np.nan_to_num(flow[..., 1])
    u1, v1i = np.rint(uu + fu).astype(int), np.rint(vv + fv).astype(int)
    inside = vis & (u1 >= 1) & (u1 < w - 1) & (v1i >= 1) & (v1i < h - 1) & (d2 > 0)
    inside[inside] &= smooth[v1i[inside], u1[inside]]
    # disparity is linear in the pixel coordinates on a plane: bilinear sampling is exact there
    at1 = map_coordinates(d1, [vv + fv, uu + fu], order=1, mode="nearest")
    rel = np.abs(d2[inside] - at1[inside]) / d2[inside]
    assert inside.sum() > 50 and np.median(rel) < 0.005, (inside.sum(), np.median(rel))
    intr = (seq_root / "0001" / "cam_data" / "intrinsics.txt").read_text().splitlines()
    extr = (seq_root / "0001" / "cam_data" / "extrinsics.txt").read_text().splitlines()
    cam0 = run.view("left", run.frames[0]).camera()
    assert len(intr) == len(extr) == FRAMES
    np.testing.assert_allclose([float(x) for x in intr[0].split()], [cam0.K[0, 0], cam0.K[1, 1], cam0.K[0, 2],
                                                                     cam0.K[1, 2]])
    np.testing.assert_allclose(np.array(extr[0].split(), float).reshape(4, 4), cam0.world_to_cam)


@pytest.mark.blender
@pytest.mark.slow
def test_pointodyssey_loader_rules_tracks_depth_and_reprojection(stereo_run, tmp_path):
    out = tmp_path / "po"
    rep = export_layout(stereo_run, "pointodyssey", out, [])
    run = open_run(stereo_run)
    videos = sorted(glob.glob(str(out / "train" / "*/")))
    assert len(videos) == len(run.cameras) == len(rep.summary["videos"])
    for seq, cam in zip(videos, sorted(run.cameras)):
        info = np.load(os.path.join(seq, "info.npz"), allow_pickle=True)
        anno = np.load(os.path.join(seq, "anno.npz"), allow_pickle=True)
        shape = info["trajs_3d"].astype(np.float32)
        assert len(shape) and shape[1] == anno["trajs_3d"].shape[1] > 32
        assert len(os.listdir(os.path.join(seq, "rgbs"))) == FRAMES
        ours = read_anno(stereo_run / "tracks" / cam / "anno.npz")
        for k in ("trajs_2d", "trajs_3d", "visibs", "valids", "intrinsics", "extrinsics"):
            np.testing.assert_array_equal(anno[k], ours[k])
        full_idx = np.arange(FRAMES)
        trajs_world = anno["trajs_3d"][full_idx].astype(np.float32)
        pix_T_cams = anno["intrinsics"][full_idx].astype(np.float32)
        cams_T_world = anno["extrinsics"][full_idx].astype(np.float32)
        cam_pts = np.einsum("tij,tnj->tni", cams_T_world[:, :3, :3], trajs_world) + cams_T_world[:, None, :3, 3]
        pix = np.einsum("tij,tnj->tni", pix_T_cams, cam_pts)
        pix = pix[..., :2] / pix[..., 2:3]
        both = (anno["valids"] > 0) & np.isfinite(anno["trajs_2d"]).all(axis=2)
        assert both.mean() > 0.5
        np.testing.assert_allclose(pix[both], anno["trajs_2d"][both], atol=2e-3)
        for t in full_idx:
            view = run.view(cam, run.frames[t])
            rgb = np.asarray(Image.open(os.path.join(seq, "rgbs", f"rgb_{t:05d}.jpg")))[..., :3].astype(float)
            assert rgb.shape == view.rgb().shape and np.abs(rgb - view.rgb()).mean() < 4.0
            depth = decode_depth_po(read_png(os.path.join(seq, "depths", f"depth_{t:05d}.png")))
            z = view.depth()
            ok = np.isfinite(z) & (z <= 1000)
            assert np.abs(depth[ok] - z[ok]).max() <= 1000 / 65535 / 2 + 1e-4 and (depth[~np.isfinite(z)] == 0).all()
            normals = np.asarray(Image.open(os.path.join(seq, "normals", f"normal_{t:05d}.jpg")))
            assert normals.shape == rgb.shape
            assert os.path.isfile(os.path.join(seq, "masks", f"mask_{t:05d}.png"))
