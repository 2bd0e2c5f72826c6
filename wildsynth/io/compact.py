"""Compact ground truth: quantised depth, normals, flow and disparity in one ``compact.npz`` per view.

Written beside the lossless files (format ``compact``, off by default) for
sequences too large to keep in float32. Every array is quantised with its
scale stored next to it, so ``read_compact`` returns float32 arrays in our
conventions (docs/ground_truth.md) and the worst-case error is known:

- ``depth``: log-uint16. ``q = 1 + round((ln z − ln z_min) / (ln z_max − ln z_min) · 65534)``
  with this view's finite range; 0 = sky (``inf`` back). Relative error at most
  ``ln(z_max / z_min) / 131068`` (8.8·10⁻⁵ for 0.1 m to 10 km).
- ``normal``: octahedral map to two int16 per pixel (angular error below 10⁻⁴
  rad); sky (0, 0, 0) is a flag.
- ``flow_<fwd|bwd>``: int16 with one step ``s = max |flow| / 32767`` per array
  (error at most s / 2); undefined (NaN) is −32768. ``flow_<key>_valid`` as
  packed bits. ``depth_change_<key>``: int16 with its own step, NaN = −32768.
- ``disparity``: uint16 with step ``max d / 65535`` (0 stays 0, sky);
  ``disparity_valid`` packed bits.

The file is numpy's ``savez_compressed`` (zip deflate), readable without
wildsynth: each quantised array ``<name>_q`` has its scalars beside it.
"""

from __future__ import annotations

import os

import numpy as np

from .atomic import atomic_path

NAN16 = -32768


def _bits(mask: np.ndarray) -> np.ndarray:
    return np.packbits(np.asarray(mask, bool), axis=None)


def _unbits(bits: np.ndarray, shape) -> np.ndarray:
    return np.unpackbits(bits, count=int(np.prod(shape))).reshape(shape).astype(bool)


def encode_log_depth(z: np.ndarray) -> tuple[np.ndarray, float, float]:
    z = np.asarray(z, np.float64)
    ok = np.isfinite(z) & (z > 0)
    if not ok.any():
        return np.zeros(z.shape, np.uint16), 1.0, 1.0
    lo, hi = float(np.log(z[ok].min())), float(np.log(z[ok].max()))
    span = max(hi - lo, 1e-12)
    q = 1 + np.rint((np.log(np.where(ok, z, 1.0)) - lo) / span * 65534.0)
    return np.where(ok, q, 0).astype(np.uint16), float(np.exp(lo)), float(np.exp(hi))


def decode_log_depth(q: np.ndarray, z_min: float, z_max: float) -> np.ndarray:
    lo, hi = np.log(z_min), np.log(z_max)
    z = np.exp(lo + (q.astype(np.float64) - 1.0) / 65534.0 * (hi - lo))
    return np.where(q > 0, z, np.inf).astype(np.float32)


def encode_octahedral(n: np.ndarray) -> np.ndarray:
    """(H, W, 3) unit vectors -> (H, W, 2) int16; (0, 0, 0) -> (-32768, -32768)."""
    n = np.nan_to_num(np.asarray(n, np.float64))
    norm = np.abs(n).sum(axis=-1, keepdims=True)
    zero = norm[..., 0] < 1e-12
    p = n[..., :2] / np.where(zero[..., None], 1.0, norm)
    z = n[..., 2]
    folded = (1.0 - np.abs(p[..., ::-1])) * np.where(p >= 0, 1.0, -1.0)
    p = np.where((z < 0)[..., None], folded, p)
    q = np.clip(np.rint(p * 32767.0), -32767, 32767).astype(np.int16)
    q[zero] = NAN16
    return q


def decode_octahedral(q: np.ndarray) -> np.ndarray:
    zero = q[..., 0] == NAN16
    p = q.astype(np.float64) / 32767.0
    z = 1.0 - np.abs(p).sum(axis=-1)
    neg = z < 0
    unfolded = (1.0 - np.abs(p[..., ::-1])) * np.where(p >= 0, 1.0, -1.0)
    p = np.where(neg[..., None], unfolded, p)
    n = np.dstack([p, z])
    n /= np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-30)
    n[zero] = 0.0
    return n.astype(np.float32)


def encode_int16(a: np.ndarray) -> tuple[np.ndarray, float]:
    a = np.asarray(a, np.float64)
    ok = np.isfinite(a)
    peak = float(np.abs(a[ok]).max()) if ok.any() else 0.0
    step = peak / 32767.0 if peak > 0 else 1.0
    q = np.clip(np.rint(np.where(ok, a, 0.0) / step), -32767, 32767)
    return np.where(ok, q, NAN16).astype(np.int16), step


def decode_int16(q: np.ndarray, step: float) -> np.ndarray:
    return np.where(q == NAN16, np.nan, q.astype(np.float64) * step).astype(np.float32)


def compact_arrays(depth, normal, flows: dict, disparity=None, disparity_valid=None) -> dict[str, np.ndarray]:
    """The arrays of a ``compact.npz``. ``flows``: key ('fwd'/'bwd') -> (flow, valid, depth_change or None)."""
    out: dict[str, np.ndarray] = {}
    q, z0, z1 = encode_log_depth(depth)
    out.update(depth_q=q, depth_min=np.float64(z0), depth_max=np.float64(z1))
    out["normal_q"] = encode_octahedral(normal)
    shape = np.asarray(depth).shape
    out["shape"] = np.array(shape, np.int64)
    for key, (flow, valid, dz) in flows.items():
        fq, step = encode_int16(flow)
        out[f"flow_{key}_q"], out[f"flow_{key}_step"] = fq, np.float64(step)
        out[f"flow_{key}_valid"] = _bits(valid)
        if dz is not None:
            dq, dstep = encode_int16(dz)
            out[f"depth_change_{key}_q"], out[f"depth_change_{key}_step"] = dq, np.float64(dstep)
    if disparity is not None:
        d = np.where(np.isfinite(disparity), disparity, 0.0).astype(np.float64)
        peak = float(d.max(initial=0.0))
        step = peak / 65535.0 if peak > 0 else 1.0
        out["disparity_q"] = np.clip(np.rint(d / step), 0, 65535).astype(np.uint16)
        out["disparity_step"] = np.float64(step)
        out["disparity_valid"] = _bits(disparity_valid if disparity_valid is not None else d > 0)
    return out


def write_compact(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)


def read_compact(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """float32 arrays back: ``depth`` (inf on sky), ``normal``, ``flow_<key>`` (NaN undefined),
    ``flow_<key>_valid`` (bool), ``depth_change_<key>``, ``disparity``, ``disparity_valid``."""
    with np.load(path, allow_pickle=False) as z:
        a = {k: z[k] for k in z.files}
    shape = tuple(int(s) for s in a["shape"])
    out = {"depth": decode_log_depth(a["depth_q"], float(a["depth_min"]), float(a["depth_max"])),
           "normal": decode_octahedral(a["normal_q"])}
    for key in ("fwd", "bwd"):
        if f"flow_{key}_q" in a:
            out[f"flow_{key}"] = decode_int16(a[f"flow_{key}_q"], float(a[f"flow_{key}_step"]))
            out[f"flow_{key}_valid"] = _unbits(a[f"flow_{key}_valid"], shape)
        if f"depth_change_{key}_q" in a:
            out[f"depth_change_{key}"] = decode_int16(a[f"depth_change_{key}_q"], float(a[f"depth_change_{key}_step"]))
    if "disparity_q" in a:
        out["disparity"] = (a["disparity_q"].astype(np.float64) * float(a["disparity_step"])).astype(np.float32)
        out["disparity_valid"] = _unbits(a["disparity_valid"], shape)
    return out
