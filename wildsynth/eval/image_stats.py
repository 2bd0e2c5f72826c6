"""Image statistics that separate photographs of nature from flat renders.

Natural images have an amplitude spectrum that falls as ``1/f^a`` with ``a``
near 1 (Field 1987; van der Schaaf & van Hateren 1996 measured 0.94 +- 0.2 on
276 calibrated photographs). A render with too little fine detail falls
faster (a steeper, more negative slope) and holds a smaller share of its
amplitude in the top octave of frequencies.

All statistics are on luminance: the 8-bit sRGB image decoded to linear light,
Rec. 709 weights, then re-encoded with the sRGB curve (a perceptual value in
[0, 1], which is what a photograph's pixel values measure).

- ``spectrum_slope``: slope of log(mean radial amplitude) against log(frequency)
  over ``[f_lo, f_hi]`` cycles per pixel (defaults 4 cycles per image height to
  0.4 cycles per pixel: below the lowest octaves, which hold the horizon and
  the sky gradient, and short of Nyquist, where demosaicing/anti-aliasing act).
  The image is mean-removed and Hann-windowed so its borders add no spectrum.
- ``top_octave_share``: the radially averaged amplitude summed over the rings
  in [0.25, 0.5] cycles per pixel, over its sum over all rings (0, 0.5]: how
  much of the spectrum's shape sits in the finest octave.
- ``rms_contrast``: standard deviation of luminance (values in [0, 1]).
- ``clipped``: share of pixels with a channel at 0 or at 255.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(np.maximum(v, 0.0), 1 / 2.4) - 0.055)


def luminance(rgb8: np.ndarray) -> np.ndarray:
    """Perceptual luminance in [0, 1] of an 8-bit sRGB image (H, W, 3) or grey (H, W)."""
    v = np.asarray(rgb8, dtype=np.float64) / 255.0
    if v.ndim == 2:
        return v
    lin = srgb_to_linear(v[..., :3]) @ np.array([0.2126, 0.7152, 0.0722])
    return linear_to_srgb(lin)


def radial_amplitude(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean amplitude of the windowed spectrum in rings of radial frequency.

    Returns (f, amplitude): ring centres in cycles per pixel (excluding 0) and the
    mean |FFT| in each ring, up to 0.5 cycles per pixel.
    """
    g = np.asarray(grey, dtype=np.float64)
    h, w = g.shape
    win = np.outer(np.hanning(h), np.hanning(w))
    g = (g - g.mean()) * win
    amp = np.abs(np.fft.rfft2(g))
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    r = np.hypot(fx, fy)
    step = 1.0 / min(h, w)  # one ring per frequency step of the shorter side
    ring = np.rint(r / step).astype(np.int64)
    n_rings = int(0.5 / step) + 1
    keep = (ring > 0) & (ring < n_rings)
    total = np.bincount(ring[keep], weights=amp[keep], minlength=n_rings)
    count = np.bincount(ring[keep], minlength=n_rings)
    k = np.nonzero(count)[0]
    k = k[k > 0]
    return k * step, total[k] / count[k]


@dataclass(frozen=True)
class ImageStats:
    spectrum_slope: float
    top_octave_share: float
    rms_contrast: float
    mean_luminance: float
    clipped: float

    def as_dict(self) -> dict:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


def spectrum_slope(grey: np.ndarray, f_lo: float | None = None, f_hi: float = 0.4) -> float:
    f, a = radial_amplitude(grey)
    lo = 4.0 / min(grey.shape) if f_lo is None else f_lo
    sel = (f >= lo) & (f <= f_hi) & (a > 0)
    if sel.sum() < 3:
        raise ValueError(f"image {grey.shape[1]}x{grey.shape[0]} too small for a spectrum slope")
    slope, _ = np.polyfit(np.log(f[sel]), np.log(a[sel]), 1)
    return float(slope)


def top_octave_share(grey: np.ndarray) -> float:
    f, a = radial_amplitude(grey)
    return float(a[f >= 0.25].sum() / max(a.sum(), 1e-30))


def image_stats(rgb8: np.ndarray) -> ImageStats:
    """Realism statistics of an 8-bit sRGB image (H, W, 3)."""
    rgb8 = np.asarray(rgb8)
    if rgb8.ndim != 3 or rgb8.shape[2] < 3 or min(rgb8.shape[:2]) < 32:
        raise ValueError(f"expected an RGB image of at least 32x32 pixels, got shape {rgb8.shape}")
    grey = luminance(rgb8)
    c = rgb8[..., :3]
    clipped = np.mean(np.any((c == 0) | (c == 255), axis=-1))
    return ImageStats(spectrum_slope(grey), top_octave_share(grey), float(grey.std()), float(grey.mean()),
                      float(clipped))
