"""What a camera does with the light after the lens (numpy only): metering and auto-exposure,
natural vignetting and sensor noise, all on scene-referred linear Rec.709 before the tone curve.

Auto-exposure meters like a camera's centre-weighted average meter: the log-average (geometric
mean) luminance, each pixel weighted by a Gaussian around the image centre, over the pixels
between the 2nd and 98th percentile of luminance (a black hole or the sun's glint does not swing
it). The exposure in stops puts that key on middle grey (0.18), plus any compensation, clamped to
``EV_RANGE`` around the daylight calibration of ``materials.sky.FILM_SCALE`` (0 in sunlight).
"""

from __future__ import annotations

import numpy as np

from ..core.camera import Camera

LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
MIDDLE_GREY = 0.18
EV_RANGE = (-6.0, 10.0)  # stops: -6 for a frame full of sunlit snow and glare, +10 deep in a cave
CENTRE_SIGMA = 0.35  # Gaussian weight's standard deviation, in image widths / heights
TRIM = (2.0, 98.0)  # luminance percentiles the meter reads between
# Photo-electrons a full-frame pixel collects at middle grey at ISO 100 (a modern sensor: ~80 k e-
# full well, middle grey ~3 stops below it), and the read noise in electrons.
GREY_ELECTRONS_FF_ISO100 = 8000.0
READ_NOISE_ELECTRONS = 3.0
FULL_FRAME_MM2 = 36.0 * 24.0


def luminance(linear: np.ndarray) -> np.ndarray:
    return np.asarray(linear, dtype=np.float32)[..., :3] @ LUMA


def centre_weights(height: int, width: int, sigma: float = CENTRE_SIGMA) -> np.ndarray:
    v = (np.arange(height) + 0.5) / height - 0.5
    u = (np.arange(width) + 0.5) / width - 0.5
    return np.exp(-0.5 * (v[:, None] ** 2 + u[None, :] ** 2) / sigma**2)


def meter(linear: np.ndarray) -> float:
    """The scene's key: centre-weighted log-average luminance over the trimmed pixels."""
    y = luminance(linear).astype(np.float64)
    floor = max(float(y.max(initial=0.0)) * 1e-7, 1e-12)
    logy = np.log(np.maximum(y, floor))
    lo, hi = np.percentile(logy, TRIM)
    w = centre_weights(*y.shape) * ((logy >= lo) & (logy <= hi))
    if w.sum() <= 0:
        w = np.ones_like(y)
    return float(np.exp((w * logy).sum() / w.sum()))


def auto_exposure(linear: np.ndarray, compensation: float = 0.0) -> tuple[float, dict]:
    """(exposure in stops, what the meter read) for an image; finite for any input (black: the top of the range)."""
    key = meter(linear)
    ev = np.log2(MIDDLE_GREY / key) + compensation if key > 0 else EV_RANGE[1]
    clamped = float(np.clip(ev, *EV_RANGE))
    return clamped, {"meter_key": key, "metered_ev": float(ev), "clamped": bool(clamped != ev)}


def vignetting(camera: Camera, strength: float) -> np.ndarray:
    """Per-pixel gain (H, W): cos^4 of the angle off the optical axis, to the power ``strength``."""
    u = (np.arange(camera.width) + 0.5 - camera.K[0, 2]) / camera.K[0, 0]
    v = (np.arange(camera.height) + 0.5 - camera.K[1, 2]) / camera.K[1, 1]
    cos2 = 1.0 / (1.0 + u[None, :] ** 2 + v[:, None] ** 2)
    return (cos2 ** (2.0 * strength)).astype(np.float32)


def sensor_noise(linear: np.ndarray, exposure_ev: float, iso: float, sensor_mm: tuple[float, float],
                 rng: np.random.Generator) -> np.ndarray:
    """Poisson photon noise plus Gaussian read noise, per channel, on linear values exposed by
    ``exposure_ev``: a pixel at middle grey after the exposure collects
    ``8000 e- * (100 / iso) * (sensor area / full frame)``."""
    grey = GREY_ELECTRONS_FF_ISO100 * (100.0 / iso) * (sensor_mm[0] * sensor_mm[1] / FULL_FRAME_MM2)
    gain = grey / MIDDLE_GREY * 2.0**exposure_ev  # electrons per linear unit
    x = np.clip(np.asarray(linear, dtype=np.float64), 0.0, None) * gain
    e = rng.poisson(np.minimum(x, 1e12)) + rng.normal(0.0, READ_NOISE_ELECTRONS, x.shape)
    return (e / gain).astype(np.float32)
