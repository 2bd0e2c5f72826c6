"""Novel-view warps between two posed views with z-depth (numpy + numba; docs/generative_data.md).

- ``backward_warp``: the exact backward warp. Every target pixel's surface point (from the
  target's rendered z-depth) is projected into the source camera (``gt.flow.correspond``, the
  same code as optical flow) and the source image is sampled there bilinearly
  (``gt.flow.warp_backward``). ``valid`` is the flow module's visibility (the point lands inside
  the source image, in front of it, and the source's depth there agrees: it is not occluded),
  and the bilinear footprint lies on the point's own surface (the source depth sampled
  bilinearly there is within ``rel_tol`` of the point's z), so no sample mixes two surfaces.
- ``forward_splat``: the source forward-splatted into the target with a z-buffer. Every source
  pixel's surface point is projected into the target and spread over the four target pixel
  centres around where it lands, with bilinear weights (a pixel footprint). Per target pixel the
  nearest contribution's z wins; contributions within ``rel_tol`` of it form the front layer and
  are averaged with their weights. This is the general-pose, 2-D version of the stereo tool's
  rectified one-row splat (``stereo.warp``, sub-pixel weights along the row only), which cannot
  take a rotation or a forward move.
- ``hole`` = target pixels whose front-layer weight is below ``MIN_WEIGHT`` (disocclusions, the
  border strip, magnified areas the source samples too sparsely); ``splat_valid`` = its complement. ``occluded`` = target pixels whose surface the source does
  not see; ``valid`` its complement. Both pairs are complementary by construction (tested).

Sky (depth inf) never splats and is never valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..core.camera import Camera
from ..gt.flow import correspond, warp_backward

MIN_WEIGHT = 0.25  # a target pixel is splatted when its front layer's bilinear weights sum to this


@dataclass
class Warps:
    """The warps of a source view into a target view; images (H, W, C) float32, masks (H, W) bool."""

    backward: np.ndarray  # source sampled at each target pixel's correspondence (NaN where not valid)
    valid: np.ndarray  # target pixel's surface visible in the source (the backward warp is exact there)
    occluded: np.ndarray  # == ~valid
    splat: np.ndarray  # source splatted into the target (0 in holes)
    splat_depth: np.ndarray  # weighted z-depth of the front layer in the target camera (inf in holes)
    splat_valid: np.ndarray  # the front layer's weight reaches MIN_WEIGHT
    hole: np.ndarray  # == ~splat_valid
    flow: np.ndarray  # (H, W, 2) target -> source pixel offsets (du, dv)


@njit(cache=True)
def _splat_kernel(u, v, z, img, rel_tol, out, zbuf, weight):
    h, w, nc = out.shape
    n = u.shape[0]
    for rep in range(2):  # pass 0: the nearest z per target pixel; pass 1: accumulate the front layer
        for k in range(n):
            if not (z[k] > 1e-9) or not np.isfinite(u[k]) or not np.isfinite(v[k]):
                continue
            x = u[k] - 0.5  # pixel-centre coordinates: the four pixel centres around the point
            y = v[k] - 0.5
            j0 = np.int64(np.floor(x))
            i0 = np.int64(np.floor(y))
            fx = x - j0
            fy = y - i0
            for di in range(2):
                for dj in range(2):
                    i = i0 + di
                    j = j0 + dj
                    if i < 0 or i >= h or j < 0 or j >= w:
                        continue
                    wt = (fx if dj == 1 else 1.0 - fx) * (fy if di == 1 else 1.0 - fy)
                    if wt <= 1e-6:
                        continue
                    if rep == 0:
                        if z[k] < zbuf[i, j]:
                            zbuf[i, j] = z[k]
                    elif z[k] <= zbuf[i, j] * (1.0 + rel_tol):
                        weight[i, j] += wt
                        for c in range(nc):
                            out[i, j, c] += wt * img[k, c]
    for i in range(h):
        for j in range(w):
            if weight[i, j] > 0.0:
                for c in range(nc):
                    out[i, j, c] /= weight[i, j]


def forward_splat(image: np.ndarray, depth: np.ndarray, src: Camera, dst: Camera, rel_tol: float = 0.01,
                  min_weight: float = MIN_WEIGHT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Splat ``image`` (H, W[, C]) of camera ``src`` with z-depth ``depth`` into camera ``dst``.

    Returns (splat (H', W', C) float32, 0 in holes; the front layer's weighted target z-depth
    float32, inf in holes; splat_valid bool: the front layer's weight reaches ``min_weight``)."""
    img = np.asarray(image, np.float64)
    img = img[..., None] if img.ndim == 2 else img
    hit = np.isfinite(depth) & (depth > 0)
    pts = src.backproject(np.where(hit, depth, 1.0).astype(np.float64))[hit]
    uv, z = dst.project(pts) if len(pts) else (np.zeros((0, 2)), np.zeros(0))
    zbuf = np.full((dst.height, dst.width), np.inf)
    weight = np.zeros((dst.height, dst.width), np.float64)
    vals = np.concatenate([img[hit], z[:, None]], axis=1)  # the points' target z is averaged like colour
    out = np.zeros((dst.height, dst.width, vals.shape[1]), np.float64)
    _splat_kernel(np.ascontiguousarray(uv[:, 0]), np.ascontiguousarray(uv[:, 1]), np.ascontiguousarray(z),
                  np.ascontiguousarray(vals), float(rel_tol), out, zbuf, weight)
    ok = weight >= min_weight
    out[~ok] = 0.0
    zs = np.where(ok, out[..., -1], np.inf)
    out = out[..., :-1]
    out = out[..., 0] if np.asarray(image).ndim == 2 else out
    return out.astype(np.float32), zs.astype(np.float32), ok


def backward_warp(image_src: np.ndarray, depth_src: np.ndarray, src: Camera, depth_dst: np.ndarray,
                  dst: Camera, instance_dst: np.ndarray | None = None, rel_tol: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The source image seen from the target: (warped (H, W[, C]) float32 with NaN where not
    valid, valid bool, flow target -> source (H, W, 2))."""
    inst = np.zeros(depth_dst.shape, np.int64) if instance_dst is None else instance_dst
    c = correspond(depth_dst, inst, dst, src, depth_src)
    warped = warp_backward(np.asarray(image_src, np.float64), c.flow)
    # the bilinear footprint must lie on the point's own surface: the source depth sampled there
    # agrees with the point's z in the source camera (no mixing across an occlusion edge)
    z_src = np.where(np.isfinite(depth_dst), depth_dst, 0.0) + c.depth_change
    z_sampled = warp_backward(np.where(np.isfinite(depth_src), depth_src, 1e30).astype(np.float64), c.flow)
    with np.errstate(invalid="ignore"):
        same = np.abs(z_sampled - z_src) <= rel_tol * z_src + 1e-4
    valid = c.valid & same & np.all(np.isfinite(warped.reshape(*warped.shape[:2], -1)), axis=-1)
    nan_mask = ~valid if warped.ndim == 2 else ~valid[..., None]
    warped = np.where(nan_mask, np.nan, warped)
    return warped.astype(np.float32), valid, c.flow


def make_warps(image_src: np.ndarray, depth_src: np.ndarray, src: Camera, depth_dst: np.ndarray, dst: Camera,
               instance_dst: np.ndarray | None = None, rel_tol: float = 0.01) -> Warps:
    back, valid, flow = backward_warp(image_src, depth_src, src, depth_dst, dst, instance_dst, rel_tol)
    splat, zsplat, ok = forward_splat(image_src, depth_src, src, dst, rel_tol)
    return Warps(back, valid, ~valid, splat, zsplat, ok, ~ok, flow)


def relative_pose(src: Camera, dst: Camera) -> np.ndarray:
    """4x4 source-camera -> target-camera transform in OpenCV axes: ``x_dst = T @ x_src``."""
    return dst.world_to_cam @ src.cam_to_world
