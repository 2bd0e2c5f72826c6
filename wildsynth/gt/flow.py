"""Optical flow, scene flow, visibility and disparity, exact at pixel centres (numpy only).

For each pixel of view A (a camera at time a) the rendered z-depth gives the
surface point P (world) it sees and the instance map tells which thing it
belongs to. The thing's motion maps P to its position at time b,
``P' = D_id(b) inv(D_id(a)) P`` (identity for static things), and camera B
projects it: the flow is ``(u', v') - (u, v)`` in pixels (u right, v down).
No renderer motion vectors are involved, so flow is as exact as depth.

Visibility: P' is visible in view B when it projects inside the image, in
front of the camera, onto a pixel that shows a surface (not sky), and no
nearer than that pixel's rendered depth plus a tolerance
(``rel_tol * z' + abs_tol`` plus the local depth slope over one pixel,
taken on the smoother side so occlusion edges stay sharp).

Sky pixels (depth inf) carry the flow of their direction at infinity (camera
rotation only) and are never valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.camera import Camera


@dataclass
class Correspondence:
    """Where each pixel of view A's surface lands in view B."""

    flow: np.ndarray  # (H, W, 2) float32, (du, dv) pixels
    valid: np.ndarray  # (H, W) bool: surface point visible in view B
    in_view: np.ndarray  # (H, W) bool: lands inside B's image, in front of it (visible or occluded)
    scene_flow: np.ndarray  # (H, W, 3) float32: 3D displacement of the point, camera-A axes, metres (0 on sky)
    depth_change: np.ndarray  # (H, W) float32: z in camera B minus z in camera A, metres (0 on sky)


def pixel_grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (u, v), each (H, W) float64."""
    return np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)


def _slope(depth: np.ndarray) -> np.ndarray:
    """Per pixel: |dz/du| + |dz/dv|, each the smaller one-sided difference (inf/NaN -> large)."""
    d = np.where(np.isfinite(depth), depth, np.nan).astype(np.float64)
    out = np.zeros(d.shape)
    for axis in (0, 1):
        diff = np.abs(np.diff(d, axis=axis))
        pad = [(0, 0), (0, 0)]
        pad[axis] = (1, 0)
        back = np.pad(diff, pad, constant_values=np.nan)
        pad[axis] = (0, 1)
        fwd = np.pad(diff, pad, constant_values=np.nan)
        s = np.fmin(back, fwd)
        out += np.where(np.isfinite(s), s, 0.0)
    return out


def world_points(depth: np.ndarray, camera: Camera) -> np.ndarray:
    """(H, W, 3) world points of every pixel (sky pixels: NaN)."""
    d = np.where(np.isfinite(depth), depth, np.nan).astype(np.float64)
    return camera.backproject(d)


def depth_test(depth_b: np.ndarray, u: np.ndarray, v: np.ndarray, z: np.ndarray, rel_tol: float = 0.01,
               abs_tol: float = 0.005, slope: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whether points projected to pixel coordinates (u, v) at z-depth z of view B are in view
    (in front, inside the image) and visible there: no farther than the depth B rendered in
    the pixel they fall in, plus ``rel_tol * z + abs_tol`` plus the local depth slope
    (``slope``: ``_slope(depth_b)``, computed when None). Returns (in_view, visible)."""
    h, w = depth_b.shape
    with np.errstate(invalid="ignore"):
        in_view = (z > 1e-9) & (u >= 0) & (u < w) & (v >= 0) & (v < h)
    j = np.clip(np.floor(np.nan_to_num(u)).astype(np.int64), 0, w - 1)
    i = np.clip(np.floor(np.nan_to_num(v)).astype(np.int64), 0, h - 1)
    db = depth_b[i, j].astype(np.float64)
    slope = _slope(depth_b) if slope is None else slope
    tol = rel_tol * z + abs_tol + slope[i, j]
    with np.errstate(invalid="ignore"):
        visible = in_view & np.isfinite(db) & (z <= db + tol)
    return in_view, visible


def correspond(depth_a: np.ndarray, instance_a: np.ndarray, cam_a: Camera, cam_b: Camera,
               depth_b: np.ndarray | None, motion_index: np.ndarray | None = None,
               motion_rel: np.ndarray | None = None, rel_tol: float = 0.01, abs_tol: float = 0.005,
               moved: np.ndarray | None = None) -> Correspondence:
    """Map every pixel of view A into view B.

    ``motion_index`` (n_ids + 1,) gives, per instance id, a row of
    ``motion_rel`` (M, 4, 4) mapping world points from time a to time b, or -1
    for static ids (see ``MotionSet.lookup``); ``moved`` (H, W, 3), if given,
    is instead every pixel's world point already moved to time b (any motion,
    rigid or not: ``MotionSet.move_points``). ``depth_b`` is B's rendered
    z-depth, used for the visibility test (None: visibility = in_view).
    """
    h, w = depth_a.shape
    hit = np.isfinite(depth_a)
    p = world_points(depth_a, cam_a)  # (H, W, 3)
    q = p.copy() if moved is None else np.where(hit[..., None], moved, p)
    if moved is None and motion_index is not None and motion_rel is not None and len(motion_rel):
        if instance_a.max(initial=0) >= len(motion_index):
            raise ValueError("instance id beyond the motion lookup table")
        row = motion_index[instance_a]
        m = (row >= 0) & hit
        if m.any():
            r = motion_rel[row[m]]
            q[m] = np.einsum("nij,nj->ni", r[:, :3, :3], p[m]) + r[:, :3, 3]
    wb = cam_b.world_to_cam
    qc = q @ wb[:3, :3].T + wb[:3, 3]
    # sky: directions at infinity (rotation only)
    uu, vv = pixel_grid(w, h)
    ray = np.stack([(uu - cam_a.K[0, 2]) / cam_a.K[0, 0], (vv - cam_a.K[1, 2]) / cam_a.K[1, 1], np.ones_like(uu)], -1)
    ray_b = ray @ (wb[:3, :3] @ cam_a.cam_to_world[:3, :3]).T
    qc = np.where(hit[..., None], qc, ray_b)
    z = qc[..., 2]
    front = z > 1e-9
    zs = np.where(front, z, np.nan)
    ub = cam_b.K[0, 0] * qc[..., 0] / zs + cam_b.K[0, 1] * qc[..., 1] / zs + cam_b.K[0, 2]
    vb = cam_b.K[1, 1] * qc[..., 1] / zs + cam_b.K[1, 2]
    flow = np.stack([ub - uu, vb - vv], -1)
    in_view = front & (ub >= 0) & (ub < cam_b.width) & (vb >= 0) & (vb < cam_b.height) & hit
    if depth_b is None:
        valid = in_view
    else:
        valid = depth_test(depth_b, ub, vb, z, rel_tol, abs_tol)[1] & in_view
    ra = cam_a.cam_to_world[:3, :3]
    sflow = np.where(hit[..., None], (q - p) @ ra, 0.0)  # R_a^T (q - p), row vectors
    dz = np.where(hit, z - np.where(hit, depth_a, 0.0), 0.0)
    return Correspondence(flow.astype(np.float32), valid, in_view, sflow.astype(np.float32), dz.astype(np.float32))


def flow_between(depth_a: np.ndarray, instance_a: np.ndarray, cam_a: Camera, t_a: float, cam_b: Camera,
                 depth_b: np.ndarray | None, t_b: float, motions, rel_tol: float = 0.01,
                 abs_tol: float = 0.005) -> Correspondence:
    """Flow, visibility and scene flow from view A at time ``t_a`` to view B at any other time
    ``t_b`` (t -> t+k for any k, or another camera): every pixel's surface point is moved by its
    thing's motion (``motions``: a ``core.motion.MotionSet``, through ``move_points``, so rigid and
    deforming things alike), then projected by B."""
    p = world_points(depth_a, cam_a)
    q = motions.move_points(instance_a, p, t_a, t_b)
    return correspond(depth_a, instance_a, cam_a, cam_b, depth_b, rel_tol=rel_tol, abs_tol=abs_tol, moved=q)


def disparity_from_depth(depth: np.ndarray, fx: float, baseline: float) -> np.ndarray:
    """Stereo disparity d = fx * baseline / z in pixels (positive; 0 where depth is inf)."""
    with np.errstate(divide="ignore"):
        d = fx * baseline / depth.astype(np.float64)
    return np.where(np.isfinite(depth) & (depth > 0), d, 0.0).astype(np.float32)


def warp_backward(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` (H, W[, C]) at (u + du, v + dv) bilinearly: the frame-B image seen from A.

    Samples outside the image are NaN.
    """
    h, w = flow.shape[:2]
    uu, vv = pixel_grid(w, h)
    x = uu + flow[..., 0] - 0.5  # array index coordinates
    y = vv + flow[..., 1] - 0.5
    img = image.astype(np.float64)
    if img.ndim == 2:
        img = img[..., None]
    ok = np.isfinite(x) & np.isfinite(y) & (x >= 0) & (y >= 0) & (x <= w - 1) & (y <= h - 1)
    x = np.clip(np.nan_to_num(x), 0, w - 1)
    y = np.clip(np.nan_to_num(y), 0, h - 1)
    x0 = np.minimum(np.floor(x).astype(int), w - 2) if w > 1 else np.zeros_like(x, dtype=int)
    y0 = np.minimum(np.floor(y).astype(int), h - 2) if h > 1 else np.zeros_like(y, dtype=int)
    ax, ay = (x - x0)[..., None], (y - y0)[..., None]
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    out = ((1 - ax) * (1 - ay) * img[y0, x0] + ax * (1 - ay) * img[y0, x1]
           + (1 - ax) * ay * img[y1, x0] + ax * ay * img[y1, x1])
    out[~ok] = np.nan
    return out[..., 0] if image.ndim == 2 else out
