import numpy as np
from scipy.spatial.distance import pdist, squareform

from wildsynth.generators.scatter import (
    Ecology,
    Niche,
    ground_transforms,
    lod_thin,
    poisson_thin,
    sample_density,
    view_sector,
)


def flat(x, y):
    return np.zeros(np.shape(x))


def up(x, y):
    n = np.zeros(np.shape(x) + (3,))
    n[..., 2] = 1.0
    return n


def slope_h(x, y):  # a plane rising along x with slope 1 (45 degrees)
    return np.asarray(x, dtype=np.float64) * 1.0


def slope_n(x, y):
    n = np.zeros(np.shape(x) + (3,))
    n[..., 0], n[..., 2] = -1 / np.sqrt(2), 1 / np.sqrt(2)
    return n


def test_poisson_thin_keeps_sum_of_radii_apart_and_respects_obstacles():
    rng = np.random.default_rng(0)
    xy = rng.uniform(-30, 30, (4000, 2))
    r = rng.uniform(0.3, 2.0, 4000)
    fixed = np.array([[0.0, 0.0], [10.0, 10.0]])
    keep = poisson_thin(xy, r, fixed_xy=fixed, fixed_radius=np.array([5.0, 3.0]))
    assert 50 < len(keep) < 4000
    p, rr = xy[keep], r[keep]
    d = squareform(pdist(p))
    np.fill_diagonal(d, np.inf)
    assert np.all(d >= rr[:, None] + rr[None, :] - 1e-9)
    assert np.all(np.linalg.norm(p - fixed[0], axis=1) >= rr + 5.0 - 1e-9)
    assert np.all(np.linalg.norm(p - fixed[1], axis=1) >= rr + 3.0 - 1e-9)
    # greedy in order: the first candidate is always kept unless an obstacle blocks it; limit stops early
    assert len(poisson_thin(xy, r, limit=7)) == 7
    assert np.array_equal(poisson_thin(xy, r), poisson_thin(xy, r))


def test_sample_density_counts_follow_the_density():
    rng = np.random.default_rng(1)
    R = 30.0
    for dens in (0.2, 1.0):
        pts = sample_density(rng, lambda x, y: np.full(np.shape(x), dens), 1.0, radius=R)
        expected = dens * np.pi * R**2
        assert abs(len(pts) - expected) < 5 * np.sqrt(expected)
        assert np.all(np.hypot(pts[:, 0], pts[:, 1]) <= R)
    # a step: plants only where x > 0, twice as dense where y > 0
    pts = sample_density(rng, lambda x, y: (x > 0) * np.where(y > 0, 1.0, 0.5), 1.0, radius=R)
    assert np.all(pts[:, 0] > 0)
    ratio = np.sum(pts[:, 1] > 0) / np.sum(pts[:, 1] <= 0)
    assert 1.8 < ratio < 2.2
    # a view sector only
    pts = sample_density(rng, lambda x, y: np.ones(np.shape(x)), 1.0, radius=R, sector=(0.0, np.pi / 4))
    ang = np.arctan2(pts[:, 1], pts[:, 0])
    assert np.all(np.abs(ang) <= np.pi / 4 + 1e-9)
    assert abs(len(pts) - np.pi / 4 * R**2) < 5 * np.sqrt(np.pi / 4 * R**2)


def test_lod_thin_is_thinner_far_and_keeps_coverage():
    rng = np.random.default_rng(2)
    xy = rng.uniform(-60, 60, (200000, 2))
    keep, grow = lod_thin(xy, np.zeros(3), 10.0, rng)
    d = np.hypot(*xy.T)
    near, far = d < 10, (d > 30) & (d < 40)
    assert keep[near].mean() == 1.0
    assert keep[far].mean() < 0.15
    # covered area (sum of scale^2) per region is about the original count (where the
    # growth stays under its cap of 3x)
    s2 = np.zeros(len(xy))
    s2[keep] = grow**2
    mid = (d > 15) & (d < 25)
    assert abs(s2[mid].sum() / mid.sum() - 1.0) < 0.1
    assert grow.max() <= 3.0


def test_ground_transforms_sit_on_the_ground_and_follow_the_normal():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-5, 5, (50, 2))
    T = ground_transforms(xy, rng, slope_h, slope_n, scale=2.0, align=1.0, tilt=0.0)
    assert np.allclose(T[:, 2, 3], xy[:, 0])
    z_axis = T[:, :3, 2] / 2.0
    assert np.allclose(z_axis, slope_n(xy[:, 0], xy[:, 1]), atol=1e-6)
    U = ground_transforms(xy, rng, slope_h, slope_n, align=0.0, tilt=0.0)
    assert np.allclose(U[:, :3, 2], [0, 0, 1], atol=1e-6)


def test_ecology_masks_steer_density():
    eco = Ecology(slope_h, slope_n, np.random.default_rng(4))
    steep = eco.density(Niche(density=1.0, slope_max=0.2, patchiness=0.0))
    assert np.all(steep(np.zeros(10), np.zeros(10)) == 0)  # slope 0.29 > 0.2
    eco = Ecology(flat, up, np.random.default_rng(4), water_level=-1.0)
    eco.set_trees(np.array([[0.0, 0.0]]), np.array([4.0]))
    assert eco.shade(np.array([0.5]), np.array([0.0]))[0] > 0.5
    assert eco.shade(np.array([20.0]), np.array([0.0]))[0] == 0.0
    shady = eco.density(Niche(density=1.0, shade=1.0, patchiness=0.0))
    sunny = eco.density(Niche(density=1.0, shade=-1.0, patchiness=0.0))
    x = np.array([0.5, 20.0])
    assert shady(x, np.zeros(2))[0] > shady(x, np.zeros(2))[1]
    assert sunny(x, np.zeros(2))[0] < sunny(x, np.zeros(2))[1]
    dry = eco.density(Niche(density=1.0, water_min=2.0, patchiness=0.0))  # ground is only 1 m above water
    assert np.all(dry(x, np.zeros(2)) == 0)


def test_view_sector():
    yaw, half = view_sector(np.zeros(3), np.array([0.0, 1.0, -0.2]), np.radians(60), margin=0.1)
    assert np.isclose(yaw, np.pi / 2) and np.isclose(half, np.radians(30) + 0.1)
