"""Long-term point tracks (TAP-Vid / PointOdyssey style), exact from depth and motion (numpy only).

Query points are pixel centres of the first output frame that see a surface
(sampled from its depth and instance map: static or moving, any thing). Each
point's world position ``P0`` (depth back-projected) is moved to every other
frame's time by its thing's motion (``MotionSet.move_points``: rigid deltas
today; a deforming mesh overrides that one hook) and projected by that frame's
camera:

- ``trajs_2d`` (T, N, 2): pixel (u, v), u right, v down, origin at the image's
  top-left corner (pixel centres at +0.5), as every wildsynth file;
- ``trajs_3d`` (T, N, 3): the point in world coordinates (Z up, metres);
- ``valids`` (T, N): the point is in front of the camera and inside the image;
- ``visibs`` (T, N): valid and not occluded: its z-depth is no more than the
  depth rendered in the pixel it falls in plus ``rel_tol * z + abs_tol`` plus
  the local depth slope (the test of the flow masks, ``gt.flow.depth_test``);
- ``intrinsics`` (T, 3, 3), ``extrinsics`` (T, 4, 4) world-to-camera (OpenCV).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.camera import Camera
from .flow import _slope, depth_test


@dataclass
class PointTracks:
    """N points over T frames of one camera."""

    trajs_2d: np.ndarray  # (T, N, 2) float32 pixels
    trajs_3d: np.ndarray  # (T, N, 3) float32 world, metres
    visibs: np.ndarray  # (T, N) bool
    valids: np.ndarray  # (T, N) bool
    intrinsics: np.ndarray  # (T, 3, 3) float32
    extrinsics: np.ndarray  # (T, 4, 4) float32 world-to-camera
    instance_ids: np.ndarray  # (N,) uint32: the thing each point lies on
    times: np.ndarray  # (T,) float64 seconds
    frames: np.ndarray  # (T,) int32 output frame indices

    def __post_init__(self) -> None:
        t, n = self.visibs.shape
        for name, shape in (("trajs_2d", (t, n, 2)), ("trajs_3d", (t, n, 3)), ("valids", (t, n)),
                            ("intrinsics", (t, 3, 3)), ("extrinsics", (t, 4, 4)), ("instance_ids", (n,)),
                            ("times", (t,)), ("frames", (t,))):
            if getattr(self, name).shape != shape:
                raise ValueError(f"PointTracks.{name}: expected shape {shape}, got {getattr(self, name).shape}")


def sample_queries(depth: np.ndarray, instance: np.ndarray, n: int, rng: np.random.Generator,
                   moving: np.ndarray | None = None, moving_share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of up to ``n`` distinct pixels that see a surface. ``moving`` (H, W) bool marks
    pixels of moving things: ``moving_share`` of the points go there, as far as they have pixels."""
    hit = np.flatnonzero(np.isfinite(depth).ravel())
    n = min(int(n), len(hit))
    chosen = np.zeros(0, np.int64)
    if moving is not None and moving_share > 0:
        mv = np.flatnonzero((moving & np.isfinite(depth)).ravel())
        k = min(int(round(n * moving_share)), len(mv))
        chosen = rng.choice(mv, k, replace=False) if k else chosen
    rest = np.setdiff1d(hit, chosen, assume_unique=True)
    more = rng.choice(rest, n - len(chosen), replace=False) if n > len(chosen) else np.zeros(0, np.int64)
    flat = np.sort(np.concatenate([chosen, more]))
    return flat // depth.shape[1], flat % depth.shape[1]


@dataclass
class TrackBuilder:
    """Builds one camera's tracks frame by frame, so no frame's passes are held: ``start`` on the
    first frame, ``add`` on every frame (the first included), ``result`` at the end."""

    motions: object  # core.motion.MotionSet
    rel_tol: float = 0.01
    abs_tol: float = 0.005
    points0: np.ndarray | None = None  # (N, 3) world at t0
    ids: np.ndarray | None = None
    t0: float = 0.0
    rows: list = field(default_factory=list)

    def start(self, depth: np.ndarray, instance: np.ndarray, camera: Camera, t: float, n: int,
              rng: np.random.Generator, moving_share: float = 0.5) -> None:
        ids = self.motions.ids
        lut = np.zeros(max(int(instance.max(initial=0)), int(ids.max(initial=0))) + 1, bool)
        lut[ids] = True
        r, c = sample_queries(depth, instance, n, rng, lut[instance], moving_share)
        u, v = c + 0.5, r + 0.5
        z = depth[r, c].astype(np.float64)
        pc = np.stack([(u - camera.K[0, 2]) / camera.K[0, 0] * z, (v - camera.K[1, 2]) / camera.K[1, 1] * z, z], -1)
        self.points0 = pc @ camera.cam_to_world[:3, :3].T + camera.cam_to_world[:3, 3]
        self.ids = instance[r, c].astype(np.uint32)
        self.t0 = float(t)

    def add(self, frame: int, depth: np.ndarray, camera: Camera, t: float) -> None:
        p = self.motions.move_points(self.ids, self.points0, self.t0, float(t))
        uv, z = camera.project(p) if len(p) else (np.zeros((0, 2)), np.zeros(0))
        valid, visible = depth_test(depth, uv[:, 0], uv[:, 1], z, self.rel_tol, self.abs_tol, _slope(depth))
        self.rows.append((int(frame), float(t), uv, p, visible, valid, camera.K.copy(), camera.world_to_cam))

    def result(self) -> PointTracks:
        f, t, uv, p, vis, val, k, e = zip(*self.rows)
        return PointTracks(np.stack(uv).astype(np.float32), np.stack(p).astype(np.float32), np.stack(vis),
                           np.stack(val), np.stack(k).astype(np.float32), np.stack(e).astype(np.float32),
                           self.ids, np.array(t, np.float64), np.array(f, np.int32))


def chain_flow(flows: list[np.ndarray], start: np.ndarray) -> np.ndarray:
    """Follow frame-to-frame flow fields (each (H, W, 2)) from pixel positions ``start`` (N, 2):
    position k+1 = position k + flow_k sampled bilinearly there. (K+1, N, 2); NaN once outside."""
    pos = [np.asarray(start, dtype=np.float64)]
    for fl in flows:
        pos.append(pos[-1] + _bilinear(fl, pos[-1]))
    return np.stack(pos)


def smooth_footprint(ids: np.ndarray, depth: np.ndarray, uv: np.ndarray, smooth: float = 0.02) -> np.ndarray:
    """(N,) True where the four pixel centres around each position (N, 2) that bilinear sampling
    reads show one instance id and depths within ``smooth`` (relative) of each other: where a
    sampled field (flow) is one smooth surface's, not a mix across an edge."""
    h, w = ids.shape
    x, y = np.nan_to_num(uv[:, 0] - 0.5), np.nan_to_num(uv[:, 1] - 0.5)
    x0, y0 = np.clip(np.floor(x).astype(int), 0, w - 1), np.clip(np.floor(y).astype(int), 0, h - 1)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    i = np.stack([ids[y0, x0], ids[y0, x1], ids[y1, x0], ids[y1, x1]])
    d = np.stack([depth[y0, x0], depth[y0, x1], depth[y1, x0], depth[y1, x1]]).astype(np.float64)
    with np.errstate(invalid="ignore"):
        return (np.all(i == i[:1], 0) & np.all(np.isfinite(d), 0) & (d.max(0) <= d.min(0) * (1.0 + smooth))
                & np.isfinite(uv).all(1))


def _bilinear(img: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Sample (H, W, C) at pixel coordinates (N, 2) (centres at +0.5); NaN outside the centres' hull."""
    h, w = img.shape[:2]
    x, y = uv[:, 0] - 0.5, uv[:, 1] - 0.5
    ok = np.isfinite(x) & np.isfinite(y) & (x >= 0) & (y >= 0) & (x <= w - 1) & (y <= h - 1)
    x, y = np.clip(np.nan_to_num(x), 0, w - 1), np.clip(np.nan_to_num(y), 0, h - 1)
    x0, y0 = np.minimum(np.floor(x).astype(int), max(w - 2, 0)), np.minimum(np.floor(y).astype(int), max(h - 2, 0))
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    ax, ay = (x - x0)[:, None], (y - y0)[:, None]
    out = ((1 - ax) * (1 - ay) * img[y0, x0] + ax * (1 - ay) * img[y0, x1] + (1 - ax) * ay * img[y1, x0]
           + ax * ay * img[y1, x1]).astype(np.float64)
    out[~ok] = np.nan
    return out
