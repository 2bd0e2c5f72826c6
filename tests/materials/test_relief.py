"""Relief building blocks: irregular ripples, cellular pebbles/clods/cracks/joints, strata; band limits."""

from __future__ import annotations

import numpy as np
import pytest

from wildsynth.materials.relief import Cells, Ripples, Strata, Surface, WindRipples, stack


def _plane(n: int, step: float, vertical: bool = False) -> Surface:
    t = np.arange(n) * step
    x, y = np.meshgrid(t, t, indexing="xy")
    p = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    nrm = np.tile([0.0, 0.0, 1.0], (n * n, 1))
    if vertical:  # the x-z plane, facing -y
        p, nrm = p[:, [0, 2, 1]], np.tile([0.0, -1.0, 0.0], (n * n, 1))
    return Surface(p, nrm, np.full(n * n, step))


def _crests(row: np.ndarray) -> np.ndarray:
    """Indices of local maxima that stand above the row's mean."""
    mid = row[1:-1]
    return np.nonzero((mid > row[:-2]) & (mid >= row[2:]) & (mid > row.mean()))[0] + 1


def test_ripples_are_irregular_not_a_sine():
    n, step, lam = 400, 0.005, 0.08
    s = _plane(n, step)
    h = Ripples(lam, 0.004, angle=0.0)(s, np.random.default_rng(0), {}).reshape(n, n)
    assert np.abs(h).max() < 2 * 0.004 * 1.2 and abs(h.mean()) < 0.001
    gaps, counts = [], []
    for r in range(0, n, 10):
        c = _crests(h[r])
        counts.append(len(c))
        gaps.extend(np.diff(c) * step)
    gaps = np.asarray(gaps)
    assert 0.6 * lam < np.median(gaps) < 1.5 * lam  # mean spacing as asked
    assert gaps.std() / gaps.mean() > 0.15  # but it varies (a sine: ~0)
    assert np.ptp(counts) >= 3  # crests fork and end: rows cross different numbers of them


def test_relief_is_deterministic_and_drawn_from_its_stream():
    s = _plane(120, 0.01)
    for relief in (Ripples(0.1, 0.005), Cells(0.1, 0.01, "pebbles"), Cells(0.3, 0.01, "cracks", curl=0.3),
                   stack(Cells(0.1, 0.01, "clods"), Ripples(0.2, 0.003))):
        a = relief(s, np.random.default_rng(5), {})
        b = relief(s, np.random.default_rng(5), {})
        c = relief(s, np.random.default_rng(6), {})
        assert np.array_equal(a, b) and not np.allclose(a, c) and np.all(np.isfinite(a)), relief


@pytest.mark.parametrize("relief", [Ripples(0.1, 0.005), Cells(0.05, 0.01, "pebbles"), Strata(0.1, 0.02),
                                    Cells(0.2, 0.01, "cracks")])
def test_relief_finer_than_the_mesh_is_dropped(relief):
    coarse = _plane(30, 0.2)  # 20 cm vertices cannot show 5-20 cm relief
    assert np.abs(relief(coarse, np.random.default_rng(0), {})).max() == 0.0
    fine = _plane(150, 0.004)
    assert np.abs(relief(fine, np.random.default_rng(0), {})).max() > 1e-3


def test_cracks_are_narrow_grooves_and_pebbles_are_mounds():
    s = _plane(300, 0.004)
    cracks = Cells(0.3, 0.01, "cracks", width=0.06)(s, np.random.default_rng(1), {})
    assert np.mean(cracks < -0.5 * 0.01) < 0.2  # grooves cover a small share of the plates
    assert cracks.min() < -0.7 * 0.01
    peb = Cells(0.05, 0.01, "pebbles")(s, np.random.default_rng(1), {})
    assert np.ptp(peb) > 0.6 * 0.01 and peb.max() <= 0.01 * 0.5 + 1e-9
    assert np.mean(peb > peb.min() + 0.5 * np.ptp(peb)) > 0.2  # rounded stones, not spikes


def test_strata_are_horizontal_beds_on_a_wall():
    n = 200
    wall = _plane(n, 0.01, vertical=True)  # rows: height z, columns: x
    h = Strata(0.15, 0.03)(wall, np.random.default_rng(2), {}).reshape(n, n)
    up = np.abs(np.diff(h, axis=0)).mean()
    across = np.abs(np.diff(h, axis=1)).mean()
    assert up > 3 * across


def test_wind_ripples_fork_and_run_across_the_wind():
    n, step, lam = 400, 0.005, 0.08
    s = _plane(n, step)
    h = WindRipples(lam, 0.004)(s, np.random.default_rng(0), {"wind": 0.0}).reshape(n, n)  # wind along +x
    assert np.abs(h).max() < 2 * 0.004 * 1.5 and abs(h.mean()) < 0.001
    along = np.abs(np.diff(h, axis=1)).mean()  # crests across the wind: it changes fastest along x
    across = np.abs(np.diff(h, axis=0)).mean()
    assert along > 2.0 * across
    gaps, counts = [], []
    for r in range(0, n, 10):
        c = _crests(h[r])
        counts.append(len(c))
        gaps.extend(np.diff(c) * step)
    gaps = np.asarray(gaps)
    assert 0.6 * lam < np.median(gaps) < 1.5 * lam
    assert gaps.std() / gaps.mean() > 0.08  # the spacing varies (~11 % here; a sine: 0)
    assert np.ptp(counts) >= 2  # crests fork and end
    turned = WindRipples(lam, 0.004)(s, np.random.default_rng(0), {"wind": np.pi / 2}).reshape(n, n)
    assert np.abs(np.diff(turned, axis=0)).mean() > 2.0 * np.abs(np.diff(turned, axis=1)).mean()


def test_wind_ripples_are_absent_in_the_wind_shadow_and_band_limited():
    s = _plane(150, 0.004)
    lee = Surface(s.points, np.tile([0.5, 0.0, np.sqrt(0.75)], (len(s), 1)), s.spacing)  # faces downwind (+x)
    windward = Surface(s.points, np.tile([-0.5, 0.0, np.sqrt(0.75)], (len(s), 1)), s.spacing)
    r = WindRipples(0.1, 0.005)
    assert np.abs(r(lee, np.random.default_rng(0), {"wind": 0.0})).max() == 0.0
    assert np.abs(r(windward, np.random.default_rng(0), {"wind": 0.0})).max() > 2e-3
    assert np.abs(r(_plane(30, 0.2), np.random.default_rng(0), {"wind": 0.0})).max() == 0.0
    a = r(s, np.random.default_rng(4), {})
    assert np.array_equal(a, r(s, np.random.default_rng(4), {})) and not np.allclose(a, r(s, np.random.default_rng(5), {}))
    patchy = WindRipples(0.1, 0.005, patches=0.3)(_plane(300, 0.01), np.random.default_rng(0), {"wind": 0.0})
    assert 0.2 < np.mean(np.abs(patchy) < 1e-4) < 0.95  # megaripples lie in patches
