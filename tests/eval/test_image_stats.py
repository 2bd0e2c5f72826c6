import numpy as np
import pytest

from wildsynth.eval.image_stats import image_stats, luminance, spectrum_slope, top_octave_share


def _power_law_noise(n: int, slope: float, seed: int = 0) -> np.ndarray:
    """Grey noise whose amplitude spectrum falls as f**slope."""
    rng = np.random.default_rng(seed)
    f = np.hypot(np.fft.fftfreq(n)[:, None], np.fft.fftfreq(n)[None, :])
    f[0, 0] = 1.0
    spec = np.fft.fft2(rng.standard_normal((n, n))) * f ** slope
    spec[0, 0] = 0.0
    g = np.real(np.fft.ifft2(spec))
    return (g - g.min()) / (g.max() - g.min())


@pytest.mark.parametrize("slope", [-1.0, -1.5, -2.0])
def test_slope_of_power_law_noise(slope):
    g = _power_law_noise(512, slope)
    assert spectrum_slope(g) == pytest.approx(slope, abs=0.12)


def test_steeper_spectrum_has_less_top_octave():
    assert top_octave_share(_power_law_noise(256, -1.0)) > 1.5 * top_octave_share(_power_law_noise(256, -1.6))


def test_blur_lowers_fine_detail():
    from scipy.ndimage import gaussian_filter
    g = _power_law_noise(256, -1.1)
    rgb = np.repeat((g * 255).astype(np.uint8)[..., None], 3, -1)
    blurred = gaussian_filter(rgb.astype(float), (1.5, 1.5, 0)).astype(np.uint8)
    a, b = image_stats(rgb), image_stats(blurred)
    assert b.spectrum_slope < a.spectrum_slope - 0.2
    assert b.top_octave_share < 0.7 * a.top_octave_share


def test_contrast_clipping_and_luminance():
    flat = np.full((64, 64, 3), 128, np.uint8)
    s = image_stats(np.where(np.arange(64)[None, :, None] < 32, flat, 255).astype(np.uint8))
    assert s.clipped == pytest.approx(0.5)
    assert s.rms_contrast > 0.1
    assert luminance(np.full((2, 2, 3), 255, np.uint8)) == pytest.approx(1.0)
    assert luminance(np.zeros((2, 2, 3), np.uint8)) == pytest.approx(0.0)


def test_rejects_tiny_or_grey_input():
    with pytest.raises(ValueError):
        image_stats(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(ValueError):
        image_stats(np.zeros((64, 64), np.uint8))
