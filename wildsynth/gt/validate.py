"""Consistency measures for ground truth (numpy only): used by tests and benchmarks.

- ``photometric_error``: warp image B onto A with A's flow; mean absolute error on
  pixels valid (visible in B), compared with the same warp by zero flow.
- ``cycle_error``: |F_ab(p) + F_ba(p + F_ab(p))| on pixels co-visible in both
  directions whose bilinear footprint in B lies on the same instance.
- ``reprojection_error``: the point seen at p in A, and the point B's depth shows at
  p + F(p), must be the same world point (co-visible pixels whose footprint in B
  is one smooth surface; inverse depth is interpolated, exact on planes).
"""

from __future__ import annotations

import numpy as np

from ..core.camera import Camera
from .flow import pixel_grid, warp_backward, world_points


def _footprint_same(ids_b: np.ndarray, ids_a: np.ndarray, flow: np.ndarray,
                    depth_b: np.ndarray | None = None, smooth: float = 0.1) -> np.ndarray:
    """True where all four bilinear neighbours of p + F(p) in B carry A's id at p
    (and, given ``depth_b``, their depths agree within ``smooth`` relative: no hidden edge)."""
    h, w = ids_a.shape
    uu, vv = pixel_grid(w, h)
    x = np.nan_to_num(uu + flow[..., 0] - 0.5)
    y = np.nan_to_num(vv + flow[..., 1] - 0.5)
    x0 = np.clip(np.floor(x).astype(int), 0, w - 1)
    y0 = np.clip(np.floor(y).astype(int), 0, h - 1)
    x1, y1 = np.clip(x0 + 1, 0, w - 1), np.clip(y0 + 1, 0, h - 1)
    ok = np.ones((h, w), bool)
    lo, hi = np.full((h, w), np.inf), np.zeros((h, w))
    for yy in (y0, y1):
        for xx in (x0, x1):
            ok &= ids_b[yy, xx] == ids_a
            if depth_b is not None:
                lo, hi = np.minimum(lo, depth_b[yy, xx]), np.maximum(hi, depth_b[yy, xx])
    if depth_b is not None:
        ok &= np.isfinite(hi) & (hi <= lo * (1.0 + smooth))
    return ok


def photometric_error(img_a: np.ndarray, img_b: np.ndarray, flow: np.ndarray, valid: np.ndarray) -> dict:
    """Mean |A - warp(B, flow)| over valid pixels, and the same with zero flow, in image units."""
    w = warp_backward(img_b, flow)
    w0 = img_b.astype(np.float64)
    e = np.abs(w - img_a).reshape(valid.shape + (-1,)).mean(-1)
    e0 = np.abs(w0 - img_a).reshape(valid.shape + (-1,)).mean(-1)
    m = valid & np.isfinite(e)
    return {"flow": float(np.mean(e[m])) if m.any() else float("nan"),
            "zero_flow": float(np.mean(e0[m])) if m.any() else float("nan"), "pixels": int(m.sum())}


def cycle_error(flow_ab: np.ndarray, valid_ab: np.ndarray, ids_a: np.ndarray,
                flow_ba: np.ndarray, valid_ba: np.ndarray, ids_b: np.ndarray) -> np.ndarray:
    """Forward-backward cycle error (pixels) on co-visible pixels (1-D array)."""
    back = warp_backward(flow_ba, flow_ab)
    vb = warp_backward(valid_ba.astype(np.float64), flow_ab)
    m = valid_ab & (vb > 0.999) & _footprint_same(ids_b, ids_a, flow_ab) & np.all(np.isfinite(back), -1)
    return np.linalg.norm(flow_ab[m] + back[m], axis=-1)


def reprojection_error(depth_a: np.ndarray, cam_a: Camera, flow: np.ndarray, valid: np.ndarray,
                       ids_a: np.ndarray, depth_b: np.ndarray, ids_b: np.ndarray, cam_b: Camera,
                       static: np.ndarray | None = None, scene_flow: np.ndarray | None = None) -> np.ndarray:
    """Relative 3D distance between A's point (moved by ``scene_flow``, camera-A axes, if given)
    and the point B's depth shows at p + F(p), on pixels selected by ``static`` (a mask)."""
    pa = world_points(depth_a, cam_a)
    if scene_flow is not None:
        pa = pa + scene_flow.astype(np.float64) @ cam_a.cam_to_world[:3, :3].T
    # inverse depth interpolates linearly across a plane's image; depth does not
    db = 1.0 / warp_backward(np.where(np.isfinite(depth_b), 1.0 / depth_b, np.nan), flow)
    h, w = depth_a.shape
    uu, vv = pixel_grid(w, h)
    ub, vb = uu + flow[..., 0], vv + flow[..., 1]
    pc = np.stack([(ub - cam_b.K[0, 2]) / cam_b.K[0, 0] * db, (vb - cam_b.K[1, 2]) / cam_b.K[1, 1] * db, db], -1)
    pb = pc @ cam_b.cam_to_world[:3, :3].T + cam_b.cam_to_world[:3, 3]
    m = valid & _footprint_same(ids_b, ids_a, flow, depth_b) & np.isfinite(db)
    if static is not None:
        m &= static
    return np.linalg.norm(pa[m] - pb[m], axis=-1) / depth_a[m]
