"""Previews of motion ground truth: flow as colour, masks, disparity."""

from __future__ import annotations

import numpy as np

from .preview import colormap


def flow_preview(flow: np.ndarray, valid: np.ndarray | None = None, max_flow: float | None = None) -> np.ndarray:
    """Flow as colour: hue = direction (right = red, down = yellow-green, left = cyan, up = blue-violet),
    saturation = magnitude / max_flow (white = no motion); invalid pixels darkened."""
    f = np.nan_to_num(np.asarray(flow, dtype=np.float64))
    mag = np.hypot(f[..., 0], f[..., 1])
    if max_flow is None:
        ok = mag[valid] if valid is not None and valid.any() else mag
        max_flow = max(float(np.percentile(ok, 99)) if ok.size else 1.0, 1e-3)
    hue = (np.arctan2(f[..., 1], f[..., 0]) / (2 * np.pi)) % 1.0
    sat = np.clip(mag / max_flow, 0, 1)
    h6 = hue * 6.0
    i = np.floor(h6).astype(int) % 6
    fr = h6 - np.floor(h6)
    p, q, t = 1 - sat, 1 - sat * fr, 1 - sat * (1 - fr)
    v = np.ones_like(sat)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    out = np.stack([r, g, b], -1)
    if valid is not None:
        out = np.where(valid[..., None], out, out * 0.35)
    return (out * 255 + 0.5).astype(np.uint8)


def mask_preview(mask: np.ndarray) -> np.ndarray:
    m = np.asarray(mask, dtype=bool)
    return np.repeat((m * 255).astype(np.uint8)[..., None], 3, -1)


def disparity_preview(disp: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    d = np.asarray(disp, dtype=np.float64)
    ok = (d > 0) if valid is None else (valid & (d > 0))
    out = np.zeros(d.shape + (3,), np.uint8)
    if ok.any():
        hi = np.percentile(d[ok], 99)
        out[d > 0] = colormap(d[d > 0] / max(hi, 1e-9))
        if valid is not None:
            out[~valid] //= 3
    return out


def signed_preview(x: np.ndarray) -> np.ndarray:
    """Signed scalar (e.g. depth change): blue negative, red positive, white zero."""
    a = np.nan_to_num(np.asarray(x, dtype=np.float64))
    s = max(float(np.percentile(np.abs(a), 99)), 1e-9)
    t = np.clip(a / s, -1, 1)
    r = np.where(t > 0, 1.0, 1.0 + t)
    g = 1.0 - np.abs(t)
    b = np.where(t < 0, 1.0, 1.0 - t)
    return (np.stack([r, g, b], -1) * 255 + 0.5).astype(np.uint8)
