"""Point tracks and flow between any two frames on an analytic scene: a ground plane and a flying,
spinning ball seen by a moving camera (no renderer)."""

import numpy as np
import pytest

from wildsynth.core import Camera, look_at
from wildsynth.core.motion import Flight, Motion, MotionSet
from wildsynth.gt.flow import correspond, flow_between, pixel_grid
from wildsynth.gt.tracks import PointTracks, TrackBuilder, chain_flow, sample_queries, smooth_footprint

W, H = 80, 60
R = 0.6  # ball radius
TIMES = [0.0, 0.1, 0.2, 0.3, 0.4]


def ball_motion() -> Flight:
    n = 1
    return Flight([2], [[5.0, 0.0, 1.0]], [[0.0, 4.0, 0.5]], np.zeros((n, 1, 3)), np.zeros((n, 1)),
                  np.zeros((n, 1, 3)), [[0.0, 0.0, 6.0]], np.full((n, 1, 3), 0.2), [[1.0]], np.zeros((n, 1, 3)))


def camera(t: float) -> Camera:
    eye = np.array([0.0 + 2.0 * t, -0.5, 1.6])
    return Camera.from_hfov(W, H, 75.0, look_at(eye, eye + np.array([5.0, 0.3, -0.9])))


def render(cam: Camera, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Analytic z-depth and ids: plane z = 0 (id 1) and the ball (id 2); inf / 0 where nothing."""
    d = cam.pixel_rays()
    o = cam.position
    with np.errstate(divide="ignore", invalid="ignore"):
        tp = np.where(d[..., 2] < 0, -o[2] / d[..., 2], np.inf)
    oc = o - centre
    b = d @ oc
    disc = b**2 - (oc @ oc - R**2)
    ts = np.where(disc > 0, -b - np.sqrt(np.maximum(disc, 0)), np.inf)
    ts = np.where(ts > 0, ts, np.inf)
    t = np.minimum(tp, ts)
    z = t * (d @ cam.cam_to_world[:3, 2])
    ids = np.where(np.isfinite(t), np.where(ts < tp, 2, 1), 0).astype(np.uint32)
    return z.astype(np.float32), ids


def frames(motion):
    out = []
    for t in TIMES:
        cam = camera(t)
        depth, ids = render(cam, motion.positions(t)[0])
        out.append((cam, depth, ids, t))
    return out


def build(motions, views, n=400, seed=0) -> PointTracks:
    tb = TrackBuilder(motions)
    cam, depth, ids, t = views[0]
    tb.start(depth, ids, cam, t, n, np.random.default_rng(seed), moving_share=0.5)
    for k, (cam, depth, _, t) in enumerate(views):
        tb.add(k, depth, cam, t)
    return tb.result()


def analytic_visible(cam: Camera, p: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Whether world points are the first hit along their camera ray (ball and plane)."""
    o = cam.position
    v = p - o
    dist = np.linalg.norm(v, axis=1)
    d = v / dist[:, None]
    oc = o - centre
    b = d @ oc
    disc = b**2 - (oc @ oc - R**2)
    ts = np.where(disc > 0, -b - np.sqrt(np.maximum(disc, 0)), np.inf)
    ts = np.where(ts > 1e-6, ts, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        tp = np.where(d[:, 2] < 0, -o[2] / d[:, 2], np.inf)
    return np.minimum(ts, tp) >= dist * (1 - 1e-4)


def test_tracks_follow_the_ball_and_the_ground_with_exact_visibility():
    m = ball_motion()
    views = frames(m)
    tr = build(MotionSet([m]), views)
    n = tr.visibs.shape[1]
    on_ball = tr.instance_ids == 2
    ball_pixels = int((views[0][2] == 2).sum())
    assert ball_pixels > 60
    assert n == 400 and on_ball.sum() == min(200, ball_pixels), "half the points on the moving thing, if it can"
    for k, (cam, depth, _, t) in enumerate(views):
        c = m.positions(t)[0]
        p = tr.trajs_3d[k].astype(np.float64)
        assert np.allclose(np.linalg.norm(p[on_ball] - c, axis=1), R, atol=1e-4), "ball points stay on the ball"
        assert np.allclose(p[~on_ball], tr.trajs_3d[0][~on_ball]), "ground points do not move"
        uv, z = cam.project(p)
        inside = (z > 0) & (uv[:, 0] >= 0) & (uv[:, 0] < W) & (uv[:, 1] >= 0) & (uv[:, 1] < H)
        assert np.array_equal(tr.valids[k], inside)
        assert np.allclose(tr.trajs_2d[k][inside], uv[inside], atol=1e-3)
        truth = analytic_visible(cam, p, c) & inside
        # the depth test samples pixel centres: a ball point that turned just past the limb (within
        # a pixel of it) can land on a pixel showing what is behind, and pass; nothing else differs
        n_dot = np.einsum("ij,ij->i", (p - c) / R, (p - cam.position) / np.linalg.norm(p - cam.position, axis=1)[:, None])
        near_limb = on_ball & (np.abs(n_dot) < 0.45)
        bad = tr.visibs[k] != truth
        assert bad.mean() < 0.07 and (bad & ~near_limb).sum() <= 0.01 * n, k
    # things happen: the spinning ball turns points away and passes in front of the ground
    assert (~tr.visibs[-1][on_ball] & tr.valids[-1][on_ball]).sum() > 10
    assert (~tr.visibs[1:, ~on_ball] & tr.valids[1:, ~on_ball]).sum() > 3
    assert tr.visibs[0].all()
    assert np.allclose(tr.extrinsics[2], views[2][0].world_to_cam) and np.allclose(tr.intrinsics[2], views[2][0].K)


def test_flow_between_any_two_frames_agrees_with_tracks_and_rigid_lookup():
    m = ball_motion()
    ms = MotionSet([m])
    views = frames(m)
    tr = build(ms, views)
    (ca, da, ia, ta), (cb, db, _, tb) = views[0], views[3]
    c = flow_between(da, ia, ca, ta, cb, db, tb, ms)
    idx, rel = ms.lookup(2, ta, tb)
    ref = correspond(da, ia, ca, cb, db, idx, rel)
    assert np.allclose(c.flow, ref.flow, atol=1e-4) and np.array_equal(c.valid, ref.valid)
    cols, rows = np.floor(tr.trajs_2d[0]).astype(int).T
    assert np.allclose(tr.trajs_2d[0] + c.flow[rows, cols], tr.trajs_2d[3], atol=1e-3)
    assert np.mean(c.valid[rows, cols] == tr.visibs[3]) > 0.99
    # chaining the frame-to-frame flows reaches the same place where each sample reads one smooth surface
    steps = [flow_between(views[k][1], views[k][2], views[k][0], views[k][3], views[k + 1][0], views[k + 1][1],
                          views[k + 1][3], ms).flow for k in range(3)]
    chained = chain_flow(steps, tr.trajs_2d[0].astype(np.float64))
    ok = tr.visibs[:4].all(0)
    for k in range(3):
        ok &= smooth_footprint(views[k][2], views[k][1], chained[k], 0.05)
    err = np.linalg.norm(chained[3][ok] - tr.trajs_2d[3][ok], axis=1)
    assert ok.sum() > 100 and np.median(err) < 0.01 and np.percentile(err, 90) < 0.1  # bilinear chaining


class Breathe(Motion):
    """A deforming thing: points scale about a centre by 1 + a t (not a rigid motion)."""

    rigid = False

    def __init__(self, ids, centre, rate):
        self.ids = np.asarray(ids, np.uint32)
        self.centre, self.rate = np.asarray(centre, float), float(rate)

    def deltas(self, t):
        return np.repeat(np.eye(4)[None], len(self.ids), 0)

    def move_points(self, ids, points, t_from, t_to):
        s = (1 + self.rate * t_to) / (1 + self.rate * t_from)
        return self.centre + (points - self.centre) * s


def test_a_deforming_motion_plugs_into_tracks_and_flow_through_move_points():
    ms = MotionSet([Breathe([2], [5.0, 0.0, 1.0], 0.5)])
    assert not ms.rigid
    views = [(camera(0.0), *render(camera(0.0), np.array([5.0, 0.0, 1.0])), 0.0)] * 2
    views[1] = (views[1][0], views[1][1], views[1][2], 0.4)
    tr = build(ms, views)
    ball = tr.instance_ids == 2
    assert np.allclose(np.linalg.norm(tr.trajs_3d[1][ball] - [5.0, 0.0, 1.0], axis=1), R * 1.2, atol=1e-4)
    cam, depth, ids, _ = views[0]
    c = flow_between(depth, ids, cam, 0.0, cam, depth, 0.4, ms)
    cols, rows = np.floor(tr.trajs_2d[0]).astype(int).T
    assert np.allclose(tr.trajs_2d[0] + c.flow[rows, cols], tr.trajs_2d[1], atol=1e-3)
    assert np.abs(c.flow[ids == 2]).max() > 0.5 and np.allclose(c.flow[ids == 1], 0, atol=1e-4)


def test_sample_queries_are_distinct_surface_pixels_with_a_moving_share():
    depth = np.full((20, 30), np.inf, np.float32)
    depth[5:15, :] = 3.0
    moving = np.zeros(depth.shape, bool)
    moving[5:7, :10] = True  # 20 pixels
    r, c = sample_queries(depth, None, 100, np.random.default_rng(1), moving, 0.5)
    flat = r * 30 + c
    assert len(flat) == 100 and len(np.unique(flat)) == 100 and np.isfinite(depth[r, c]).all()
    assert moving[r, c].sum() == 20, "all moving pixels when they are fewer than the share"
    r, c = sample_queries(depth, None, 1000, np.random.default_rng(1))
    assert len(r) == 300, "never more points than surface pixels"
    a = sample_queries(depth, None, 50, np.random.default_rng(7), moving, 0.3)
    b = sample_queries(depth, None, 50, np.random.default_rng(7), moving, 0.3)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert moving[a].sum() == 15


def test_chain_flow_and_footprints():
    flows = [np.full((10, 12, 2), [1.0, 0.5]), np.full((10, 12, 2), [2.0, -1.0])]
    pos = chain_flow(flows, np.array([[2.5, 3.5], [11.5, 0.5]]))
    assert np.allclose(pos[:, 0], [[2.5, 3.5], [3.5, 4.0], [5.5, 3.0]])
    assert np.isnan(pos[2, 1]).all(), "outside the image: NaN"
    ids = np.ones((10, 12), np.uint32)
    ids[:, 6:] = 2
    depth = np.full((10, 12), 4.0)
    ok = smooth_footprint(ids, depth, np.array([[2.7, 3.2], [6.2, 3.0], [np.nan, 1.0]]))
    assert ok.tolist() == [True, False, False]
    assert not smooth_footprint(ids, np.where(np.arange(12) < 3, 4.0, 5.0)[None].repeat(10, 0),
                                np.array([[3.2, 3.0]]))[0]


def test_point_tracks_check_their_shapes():
    with pytest.raises(ValueError, match="trajs_3d"):
        PointTracks(np.zeros((2, 3, 2)), np.zeros((2, 4, 3)), np.zeros((2, 3), bool), np.zeros((2, 3), bool),
                    np.zeros((2, 3, 3)), np.zeros((2, 4, 4)), np.zeros(3, np.uint32), np.zeros(2), np.zeros(2, int))
    assert pixel_grid(3, 2)[0][0, 0] == 0.5
