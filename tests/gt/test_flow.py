"""Flow, visibility, disparity, boundaries, panoptic and boxes on analytic scenes (no renderer)."""

import numpy as np
import pytest

from wildsynth.camera.rigs import stereo_rig
from wildsynth.core import Camera, Instances, MaterialRef, Mesh, Object, Scene, look_at
from wildsynth.core.motion import Fall, MotionSet, Sway
from wildsynth.gt.boundaries import occlusion_boundaries
from wildsynth.gt.boxes import Boxes3D, boxes_2d
from wildsynth.gt.flow import correspond, disparity_from_depth, pixel_grid, warp_backward
from wildsynth.gt.panoptic import STUFF_BASE, panoptic_ids
from wildsynth.gt.validate import cycle_error

W, H = 64, 48


def plane_depth(cam: Camera, height: float = 0.0) -> np.ndarray:
    """Analytic z-depth of the ground plane z = height (inf where the ray misses)."""
    d = cam.pixel_rays()
    o = cam.position
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (height - o[2]) / d[..., 2]
    z = t * (d @ cam.cam_to_world[:3, 2])
    return np.where((t > 0) & np.isfinite(t), z, np.inf).astype(np.float32)


def cam_at(eye, target) -> Camera:
    return Camera.from_hfov(W, H, 70.0, look_at(np.array(eye, float), np.array(target, float)))


def test_static_flow_is_reprojection_of_a_plane():
    a = cam_at([0, 0, 2], [5, 0, 0])
    b = cam_at([0.4, 0.2, 2.1], [5, 0.5, 0])
    da, db = plane_depth(a), plane_depth(b)
    ids = np.where(np.isfinite(da), 1, 0).astype(np.uint32)
    c = correspond(da, ids, a, b, db)
    # independent: intersect each A ray with the plane, project with B
    p = a.backproject(np.where(np.isfinite(da), da, 1.0))
    uv, z = b.project(p.reshape(-1, 3))
    uu, vv = pixel_grid(W, H)
    expect = uv.reshape(H, W, 2) - np.stack([uu, vv], -1)
    hit = np.isfinite(da)
    assert np.max(np.abs(c.flow[hit] - expect[hit])) < 1e-3
    assert c.valid[hit].mean() > 0.7  # most of the plane stays in view
    assert not c.valid[~hit].any(), "sky is never valid"
    assert np.allclose(c.scene_flow[hit], 0.0, atol=1e-5), "static points have no scene flow"
    # depth change = z in B minus z in A
    assert np.allclose(c.depth_change[hit][c.in_view[hit]], (z.reshape(H, W) - da)[hit][c.in_view[hit]], atol=1e-4)


def test_forward_backward_cycle_and_sign():
    a = cam_at([0, 0, 2], [5, 0, 0])
    b = cam_at([0.3, 0, 2], [5.3, 0, 0])  # camera moves along its view direction (+x): points flow outwards
    da, db = plane_depth(a), plane_depth(b)
    ia = np.where(np.isfinite(da), 1, 0).astype(np.uint32)
    ib = np.where(np.isfinite(db), 1, 0).astype(np.uint32)
    f = correspond(da, ia, a, b, db)
    g = correspond(db, ib, b, a, da)
    err = cycle_error(f.flow, f.valid, ia, g.flow, g.valid, ib)
    assert err.size > 500 and np.percentile(err, 99) < 0.1
    # moving forward: a ground pixel below the centre moves further down (dv > 0)
    assert f.flow[H - 2, W // 2, 1] > 0.1
    # moving right: static points flow left
    c = cam_at([0, 0.0, 2], [5, 0, 0])
    r = stereo_rig(c, 0.5).cameras["right"]
    s = correspond(da, ia, c, r, plane_depth(r))
    assert np.all(s.flow[np.isfinite(da)][:, 0] < 0)


def test_moving_object_flow_and_occlusion():
    """A fronto-parallel square at 4 m moves right by 0.2 m; the wall behind is static."""
    cam = Camera.from_hfov(W, H, 60.0, np.eye(4))
    fx = cam.K[0, 0]
    uu, vv = pixel_grid(W, H)
    x = (uu - cam.K[0, 2]) / fx
    y = (vv - cam.K[1, 2]) / fx

    def render(shift):
        depth = np.full((H, W), 10.0, np.float32)
        inst = np.ones((H, W), np.uint32)
        on = (np.abs(x * 4 - shift) < 0.5) & (np.abs(y * 4) < 0.5)
        depth[on], inst[on] = 4.0, 2
        return depth, inst

    d0, i0 = render(0.0)
    d1, i1 = render(0.2)
    fall = Fall([2], [[0, 0, 4]], [[0.2, 0, 0]], [[0, 0, 1]], 0.0)
    idx, rel = MotionSet([fall]).lookup(2, 0.0, 1.0)
    c = correspond(d0, i0, cam, cam, d1, idx, rel)
    sq = i0 == 2
    assert np.allclose(c.flow[sq][:, 0], fx * 0.2 / 4, atol=1e-3) and np.allclose(c.flow[sq][:, 1], 0, atol=1e-4)
    assert c.valid[sq].all()
    assert np.allclose(c.scene_flow[sq], [0.2, 0, 0], atol=1e-5)
    # wall pixels newly covered by the square are occluded; others visible with zero flow
    covered = (i0 == 1) & (i1 == 2)
    assert covered.sum() > 5 and not c.valid[covered].any()
    free = (i0 == 1) & (i1 == 1)
    assert c.valid[free].mean() > 0.97 and np.allclose(c.flow[free], 0, atol=1e-4)


def test_warp_reproduces_image_under_known_flow():
    rng = np.random.default_rng(0)
    img = rng.uniform(size=(H, W))
    img = (img + np.roll(img, 1, 0) + np.roll(img, 1, 1)) / 3
    flow = np.zeros((H, W, 2), np.float32)
    flow[..., 0] = 2.0
    shifted = np.roll(img, -2, axis=1)  # B(u) = A(u + 2): A at u lands at u + 2 in B ... inverse: B(u+2) = A(u)
    b = np.roll(img, 2, axis=1)
    w = warp_backward(b, flow)
    assert np.nanmax(np.abs(w[:, :-3] - img[:, :-3])) < 1e-12
    assert np.nanmean(np.abs(warp_backward(shifted, flow)[:, 3:-3] - img[:, 3:-3])) > 0.05


def test_disparity_matches_stereo_reprojection():
    c = cam_at([0, 0, 2], [5, 0, 0])
    rig = stereo_rig(c, 0.12)
    left, right = rig.cameras["left"], rig.cameras["right"]
    dl, dr = plane_depth(left), plane_depth(right)
    ids = np.where(np.isfinite(dl), 1, 0).astype(np.uint32)
    d = disparity_from_depth(dl, left.K[0, 0], 0.12)
    s = correspond(dl, ids, left, right, dr)
    hit = np.isfinite(dl)
    assert np.allclose(-s.flow[hit][:, 0], d[hit], rtol=1e-4, atol=1e-4)
    assert np.allclose(s.flow[hit][:, 1], 0, atol=1e-4), "rectified: no vertical disparity"
    assert np.all(d[hit] > 0) and np.all(d[~hit] == 0)


def test_sway_and_fall_are_rigid_and_pivot_fixed():
    sway = Sway([5, 6], [[1, 2, 0], [3, 3, 1]], np.radians(10), 0.5, [0.0, 1.0], (1.0, 0.0))
    d = sway.deltas(0.7)
    for k in range(2):
        r = d[k, :3, :3]
        assert np.allclose(r @ r.T, np.eye(3), atol=1e-12) and np.isclose(np.linalg.det(r), 1.0)
        piv = sway.pivots[k]
        assert np.allclose(r @ piv + d[k, :3, 3], piv)  # the base stays put
    top = d[0, :3, :3] @ np.array([1, 2, 1.0]) + d[0, :3, 3]
    assert abs(top[1] - 2) < 1e-12 and abs(top[0] - 1) > 1e-3, "sways along the wind (x)"
    fall = Fall([7], [[0, 0, 5]], [[0, 0, -1.0]], [[1, 0, 0]], 2.0)
    assert np.allclose(fall.deltas(0.0), np.eye(4))
    assert np.allclose(fall.deltas(1.5)[0, :3, :3] @ [0, 0, 5] + fall.deltas(1.5)[0, :3, 3], [0, 0, 3.5])
    ids, rel = MotionSet([sway, fall]).relative(0.2, 0.9)
    assert list(ids) == [5, 6, 7]
    assert np.allclose(rel[2, :3, :3] @ [0, 0, 4.8] + rel[2, :3, 3], [0, 0, 4.1])  # centre: 5 - t


def test_boundaries_mark_the_near_side_and_ignore_ramps():
    depth = np.tile(np.linspace(5, 50, W, dtype=np.float32), (H, 1))  # a smooth steep ramp
    inst = np.ones((H, W), np.uint32)
    assert not occlusion_boundaries(depth, inst).any()
    depth[10:20, 10:20], inst[10:20, 10:20] = 2.0, 2
    b = occlusion_boundaries(depth, inst)
    ring = np.zeros_like(b)
    ring[10:20, 10:20] = True
    ring[11:19, 11:19] = False
    assert np.array_equal(b, ring)
    depth[:, 40:] = np.inf
    inst[:, 40:] = 0
    b = occlusion_boundaries(depth, inst)
    assert b[:, 39].all() and not b[:, 40:].any()


def _scene_with_things():
    scene = Scene()
    v = np.array([[-9, -9, 0], [9, -9, 0], [9, 9, 0], [-9, 9, 0.0]])
    scene.add(Object("ground", Mesh(v, [[0, 1, 2], [0, 2, 3]]), MaterialRef("rock"), "terrain", "test"))
    cube = Mesh(np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (0, 2)], float),
                [[0, 1, 2]])
    t = np.stack([np.eye(4)] * 2)
    t[0, :3, 3] = [2, 0, 0]
    t[1, :3, :3] = np.diag([0.5, 0.5, 0.5])
    t[1, :3, 3] = [-3, 1, 0]
    scene.add(Object("rocks", Instances(cube, t), MaterialRef("rock"), "rock", "test"))
    return scene


def test_panoptic_segments_follow_instances_and_classes():
    scene = _scene_with_things()
    inst = np.zeros((6, 8), np.uint32)
    inst[3:] = 1
    inst[1:3, 1:3] = 2
    inst[4:6, 5:8] = 3
    seg, info = panoptic_ids(inst, scene.id_to_class())
    by = {s["id"]: s for s in info}
    assert set(by) == {STUFF_BASE + 0, STUFF_BASE + 1, 2, 3}
    assert by[2]["category_id"] == 2 and by[2]["isthing"] and by[2]["bbox"] == [1, 1, 2, 2]
    assert by[STUFF_BASE + 1]["category_id"] == 1 and not by[STUFF_BASE + 1]["isthing"]
    assert sum(s["area"] for s in info) == inst.size
    for s in info:
        assert (seg == s["id"]).sum() == s["area"]
    assert boxes_2d(inst)[2] == {"id": 3, "bbox": [5, 4, 3, 2], "area": 6}


def test_3d_boxes_follow_transforms_and_motion():
    scene = _scene_with_things()
    boxes = Boxes3D(scene)
    assert boxes.ids == [2, 3]  # terrain is stuff: no box
    rec = boxes.posed([3])[0]
    assert np.allclose(rec["centre"], [-3, 1, 0.5]) and np.allclose(rec["size"], [1, 1, 1])
    d = np.eye(4)
    d[:3, 3] = [0, 0, 5]
    cam = Camera.from_hfov(W, H, 60, look_at(np.array([0, -10, 1.0]), np.array([0, 0, 1.0])))
    rec = boxes.posed([2], {2: d}, {"main": cam})[0]
    assert np.allclose(rec["centre"], [2, 0, 6])
    corners = np.array(rec["corners"])
    assert np.allclose(corners.min(0), [1, -1, 5]) and np.allclose(corners.max(0), [3, 1, 7])
    assert np.allclose(rec["camera"]["main"]["centre"], cam.world_to_cam[:3, :3] @ [2, 0, 6] + cam.world_to_cam[:3, 3])


@pytest.mark.parametrize("tol", [0.01])
def test_visibility_tolerance_keeps_grazing_ground_visible(tol):
    """Nearly grazing ground far away: a tiny camera move must not flag it as occluded."""
    a = Camera.from_hfov(W, H, 60.0, look_at(np.array([0, 0, 1.5]), np.array([100, 0, -1.0])))
    b = Camera(a.K, a.cam_to_world @ np.array([[1, 0, 0, 0.01], [0, 1, 0, 0], [0, 0, 1, 0.05], [0, 0, 0, 1]]), W, H)
    da, db = plane_depth(a), plane_depth(b)
    ids = np.where(np.isfinite(da), 1, 0).astype(np.uint32)
    c = correspond(da, ids, a, b, db, rel_tol=tol)
    assert c.valid[c.in_view].mean() > 0.99
