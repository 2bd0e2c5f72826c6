"""A tiny rendered walk with movers: their flow, warps, cycles, boxes and point tracks checked against
the rendered frames and the poses written in frame.json."""

import numpy as np
import pytest

from wildsynth.core.camera import Camera
from wildsynth.core.labels import label_id
from wildsynth.gt.flow import pixel_grid, warp_backward
from wildsynth.gt.tracks import chain_flow, smooth_footprint
from wildsynth.gt.validate import photometric_error
from wildsynth.io import read_exr, read_json
from wildsynth.io.flo import read_flo
from wildsynth.io.ids import read_id_png
from wildsynth.io.png import read_png
from wildsynth.io.tracks import read_anno

pytestmark = pytest.mark.blender

W, H, FRAMES = 96, 64, 4


@pytest.fixture(scope="module")
def seq(tmp_path_factory):
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    out = tmp_path_factory.mktemp("movers") / "m"
    opts = RunOptions(shot={"frames": FRAMES, "fps": 8, "trajectory": {"kind": "walk", "speed": 1.0}},
                      motion={"particles": 0, "sway_degrees": 0,
                              "movers": {"count": 8, "size_min": 0.35, "size_max": 0.8, "near": 2.0, "far": 4.5,
                                         "speed_min": 1.0, "spin_max": 40.0, "wobble_frequency": 0.3},
                              "tracks": {"points": 600}},
                      formats=("exr", "flo", "tracks"))
    params = get("meadow").params.model_validate({"rocks": {"count": 5}})
    run(RunSpec("meadow", 4, params, RenderSettings(width=W, height=H, samples=8), out, opts))
    return out


def view(out, f):
    d = out / "main" / f"{f:06d}"
    meta = read_json(d / "frame.json")
    img = read_exr(d / "image.exr", separate=True)
    return {"meta": meta, "cam": Camera.from_dict(meta["camera"]), "img": np.dstack([img[c] for c in "RGB"]),
            "depth": read_exr(d / "depth.exr")["Z"], "inst": read_id_png(d / "instance.png"),
            "fwd": read_flo(d / "flow_fwd.flo")[0], "fv": read_png(d / "flow_fwd_valid.png") > 0,
            "bwd": read_flo(d / "flow_bwd.flo")[0], "bv": read_png(d / "flow_bwd_valid.png") > 0,
            "boxes": {b["id"]: b for b in meta["boxes_3d"]}}


def mover_ids(out):
    objs = read_json(out / "objects.json")["objects"]
    return np.array([o["id"] for o in objs if o["class"] == "mover"])


def interior(inst, ids):
    """Pixels of ``ids`` whose 4 neighbours carry the same id (no silhouette mixing)."""
    m = np.isin(inst, ids)
    p = np.pad(inst, 1, mode="edge")
    same = (p[:-2, 1:-1] == inst) & (p[2:, 1:-1] == inst) & (p[1:-1, :-2] == inst) & (p[1:-1, 2:] == inst)
    return m & same


def test_movers_are_seen_with_their_class_and_boxes(seq):
    ids = mover_ids(seq)
    assert len(ids) == 8
    v = view(seq, 0)
    seen = [i for i in ids if (v["inst"] == i).sum() >= 20]
    assert len(seen) >= 3, "most movers fly in view"
    pts = v["cam"].backproject(np.where(np.isfinite(v["depth"]), v["depth"], 1.0))
    for i in seen:
        b = v["boxes"][int(i)]
        assert b["class_id"] == label_id("mover")
        local = (pts[v["inst"] == i] - b["centre"]) @ np.array(b["rotation"])
        assert np.all(np.abs(local) <= np.array(b["size"]) / 2 + 0.01)


def _box_motion(b0, b1):
    """The rigid world transform taking the box pose of frame t to that of t+1."""
    r0, r1 = np.array(b0["rotation"]), np.array(b1["rotation"])
    r = r1 @ r0.T
    return r, np.array(b1["centre"]) - r @ np.array(b0["centre"])


def test_forward_flow_on_movers_is_the_projection_of_their_motion(seq):
    ids = mover_ids(seq)
    landed, depth_err = [], []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        pts = a["cam"].backproject(np.where(np.isfinite(a["depth"]), a["depth"], 1.0))
        for i in ids:
            m = a["inst"] == i
            if m.sum() < 10 or int(i) not in b["boxes"]:
                continue
            r, t = _box_motion(a["boxes"][int(i)], b["boxes"][int(i)])
            moved = pts[m] @ r.T + t
            uv, z = b["cam"].project(moved)
            rows, cols = np.nonzero(m)
            expect = uv - np.stack([cols + 0.5, rows + 0.5], -1)
            assert np.abs(a["fwd"][m] - expect).max() < 2e-3
            # and the moved points land on the mover's rendered surface at t+1 where visible
            vis = a["fv"][m]
            j, k = np.floor(uv[vis]).astype(int).T
            same = b["inst"][k, j] == i  # silhouette pixels may land beside it (on something farther)
            landed.append(same)
            depth_err.append(np.abs(b["depth"][k, j] - z[vis])[same] / z[vis][same])
    landed, depth_err = np.concatenate(landed), np.concatenate(depth_err)
    assert landed.size >= 100 and landed.mean() > 0.9
    # nearest-pixel depth of a curved surface: off by up to half a pixel's depth slope
    assert np.median(depth_err) < 0.01 and np.percentile(depth_err, 90) < 0.05


def test_warping_the_next_frame_reproduces_movers(seq):
    ids = mover_ids(seq)
    errs, zero = [], []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        m = interior(a["inst"], ids) & a["fv"]
        e = photometric_error(a["img"], b["img"], a["fwd"], m)
        if e["pixels"] >= 20:
            errs.append(e["flow"])
            zero.append(e["zero_flow"])
    assert errs
    assert np.mean(errs) < 0.35 * np.mean(zero), (errs, zero)


def test_forward_backward_cycle_on_movers(seq):
    ids = mover_ids(seq)
    err = []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        back = warp_backward(b["bwd"], a["fwd"])
        seen = warp_backward(b["bv"].astype(np.float64), a["fwd"]) > 0.999
        # where bilinear sampling of frame t+1 reads one smooth surface (not across a self-occlusion)
        h, w = a["depth"].shape
        uv = (np.stack(pixel_grid(w, h), -1) + a["fwd"]).reshape(-1, 2)
        clean = smooth_footprint(b["inst"], b["depth"], uv).reshape(h, w)
        m = a["fv"] & np.isin(a["inst"], ids) & seen & clean & np.isfinite(back).all(-1)
        err.append(np.linalg.norm(a["fwd"][m] + back[m], axis=-1))
    err = np.concatenate(err)
    assert err.size >= 300
    assert np.median(err) < 0.01 and np.percentile(err, 99) < 0.1, (np.median(err), np.percentile(err, 99))


def test_anno_npz_has_the_documented_arrays(seq):
    a = read_anno(seq / "tracks" / "main" / "anno.npz")
    t, n = a["visibs"].shape
    assert t == FRAMES and 100 <= n <= 600
    shapes = {"trajs_2d": ((t, n, 2), np.float32), "trajs_3d": ((t, n, 3), np.float32), "visibs": ((t, n), bool),
              "valids": ((t, n), bool), "intrinsics": ((t, 3, 3), np.float32), "extrinsics": ((t, 4, 4), np.float32),
              "instance_ids": ((n,), np.uint32), "times": ((t,), np.float64), "frames": ((t,), np.int32)}
    for k, (shape, dtype) in shapes.items():
        assert a[k].shape == shape and a[k].dtype == dtype, k
    assert np.array_equal(a["frames"], np.arange(FRAMES)) and np.allclose(a["times"], np.arange(FRAMES) / 8)
    assert a["visibs"][0].all() and not (a["visibs"] & ~a["valids"]).any()
    v0 = view(seq, 0)
    assert np.allclose(np.modf(a["trajs_2d"][0])[0], 0.5), "queries are pixel centres"
    cols, rows = np.floor(a["trajs_2d"][0]).astype(int).T
    assert np.array_equal(a["instance_ids"], v0["inst"][rows, cols])
    assert np.allclose(a["trajs_3d"][0], v0["cam"].backproject(np.where(np.isfinite(v0["depth"]), v0["depth"], 1.0))[rows, cols], atol=1e-3)
    assert np.isin(a["instance_ids"], mover_ids(seq)).mean() > 0.2, "half the points go to movers when they can"
    for f in range(FRAMES):
        cam = view(seq, f)["cam"]
        assert np.allclose(a["intrinsics"][f], cam.K) and np.allclose(a["extrinsics"][f], cam.world_to_cam, atol=1e-5)
        uv, _ = cam.project(a["trajs_3d"][f].astype(np.float64))
        assert np.abs(uv - a["trajs_2d"][f])[a["valids"][f]].max() < 1e-2


def test_tracks_agree_with_frame_to_frame_flow(seq):
    a = read_anno(seq / "tracks" / "main" / "anno.npz")
    views = [view(seq, f) for f in range(FRAMES)]
    cols, rows = np.floor(a["trajs_2d"][0]).astype(int).T
    # one step: the track moves exactly by the written forward flow, and is visible where the flow is
    step = a["trajs_2d"][1] - a["trajs_2d"][0]
    assert np.abs(step - views[0]["fwd"][rows, cols]).max() < 1e-3
    assert np.mean(a["visibs"][1] == views[0]["fv"][rows, cols]) > 0.99
    # k steps: flow chained frame to frame (sampled bilinearly) follows the track where it stays
    # visible and each sample reads one smooth surface
    chained = chain_flow([v["fwd"] for v in views[:-1]], a["trajs_2d"][0].astype(np.float64))
    clean = np.ones(len(rows), bool)
    for k in range(1, FRAMES):
        clean &= smooth_footprint(views[k - 1]["inst"], views[k - 1]["depth"], chained[k - 1], 0.05)
        vis = a["visibs"][: k + 1].all(0) & clean & np.isfinite(chained[k]).all(1)
        err = np.linalg.norm(chained[k][vis] - a["trajs_2d"][k][vis], axis=1)
        assert vis.sum() >= 30 and np.isin(a["instance_ids"][vis], mover_ids(seq)).sum() >= 20
        assert np.median(err) < 0.01 and np.percentile(err, 90) < 0.1, (k, np.median(err), np.percentile(err, 90))
