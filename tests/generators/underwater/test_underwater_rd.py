"""Gray-Scott: spots and stripes in the documented ranges, with a measured wavelength."""

import numpy as np
import pytest
from scipy import ndimage

from wildsynth.core.seeds import SeedTree
from wildsynth.generators.underwater import build
from wildsynth.generators.underwater.reaction_diffusion import (
    gray_scott,
    grid_laplacian,
    mesh_adjacency,
    mesh_laplacian,
)

N = 96


def grid_run(feed, kill, seed=0, time=2500.0):
    lap = grid_laplacian(N)
    nb = (lap != 0).astype(float)
    nb.setdiag(0)
    _, v = gray_scott(lap, feed, kill, time, np.random.default_rng(seed), neighbours=nb.tocsr())
    return v.reshape(N, N)


def wavelength(img):
    """Pattern wavelength in cells: the radial peak of the power spectrum (power-weighted
    mean radius over the peak's neighbourhood)."""
    f = np.abs(np.fft.fft2(img - img.mean())) ** 2
    k = np.fft.fftfreq(N) * N
    rad = np.hypot(k[:, None], k[None, :])
    b = np.round(rad).astype(int)
    prof = np.bincount(b.ravel(), f.ravel())[: N // 2]
    pk = int(np.argmax(prof[1:])) + 1
    sel = (b >= pk - 1) & (b <= pk + 1)
    return N / float((rad[sel] * f[sel]).sum() / f[sel].sum())


def blobs(img):
    """Connected regions above the mid level (periodic wrap ignored: counted on the torus cut open)."""
    mask = img > 0.5 * (img.min() + img.max())
    lab, n = ndimage.label(mask, structure=np.ones((3, 3)))
    sizes = ndimage.sum(mask, lab, range(1, n + 1))
    ext = [max(s.stop - s.start for s in sl) for sl in ndimage.find_objects(lab)]
    return n, np.asarray(sizes), np.asarray(ext), mask.mean()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("feed,kill", [(0.055, 0.062), (0.037, 0.060)])
def test_labyrinth_stripes(feed, kill, seed):
    img = grid_run(feed, kill, seed)
    lam = wavelength(img)
    assert 10.0 < lam < 18.0, lam
    n, sizes, ext, frac = blobs(img)
    # stripes join into a few long labyrinths: most of the pattern lies in regions several
    # wavelengths long (a spot is shorter than one wavelength)
    long_share = sizes[ext > 2.5 * lam].sum() / sizes.sum()
    assert long_share > 0.6 and n < 0.25 * (N / lam) ** 2, (n, long_share)
    assert 0.3 < frac < 0.7


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("feed,kill", [(0.030, 0.062), (0.025, 0.060)])
def test_spots(feed, kill, seed):
    img = grid_run(feed, kill, seed)
    lam = wavelength(img)
    assert 10.0 < lam < 18.0, lam
    n, sizes, ext, frac = blobs(img)
    # isolated round spots: many, none longer than about a wavelength
    assert n > 0.5 * (N / lam) ** 2, n
    assert np.percentile(ext, 95) < 1.2 * lam and sizes.max() < 0.05 * sizes.sum(), (np.percentile(ext, 95), lam)


def test_mesh_laplacian_is_the_laplacian_in_metres():
    n, h = 21, 0.01
    t = np.arange(n) * h
    x, y = np.meshgrid(t, t, indexing="ij")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    i = (np.arange(n - 1)[:, None] * n + np.arange(n - 1)[None]).ravel()
    f = np.concatenate([np.stack([i, i + n, i + n + 1], -1), np.stack([i, i + n + 1, i + 1], -1)])
    lap = mesh_laplacian(v, f)
    q = (v[:, 0] - 0.1) ** 2 + (v[:, 1] - 0.1) ** 2  # ∇² q = 4
    inner = (x.ravel() > h) & (x.ravel() < t[-2]) & (y.ravel() > h) & (y.ravel() < t[-2])
    assert np.allclose((lap @ q)[inner], 4.0, rtol=1e-6)
    assert np.allclose((lap @ (v[:, 0] * v[:, 1]))[inner], 0.0, atol=1e-6)  # no bias along the diagonals
    # on a curved surface: a sphere's first harmonic z is an eigenfunction, ∇² z = -2 z / R²
    from wildsynth.generators.rocks import icosphere

    s = icosphere(4)
    sv = s.vertices.astype(np.float64) * 0.3
    got = mesh_laplacian(sv, s.faces) @ sv[:, 2]
    big = np.abs(sv[:, 2]) > 0.1
    ratio = got[big] / sv[big, 2] * 0.09
    assert abs(np.median(ratio) + 2.0) < 0.01 and np.percentile(np.abs(ratio + 2.0), 90) < 0.1
    assert mesh_adjacency(f, len(v)).nnz > 0


def test_brain_coral_pattern_is_in_the_geometry():
    mesh, _ = build("brain_coral", SeedTree(0), size=0.15, cell=0.006, max_detail=4, time=1500.0, relief=0.5)
    pat = mesh.attributes["pattern"]
    assert pat.std() > 0.2  # a pattern formed, not a uniform field
    v = mesh.vertices.astype(np.float64)
    top = v[:, 2] > 0.06
    c = np.array([0.0, 0.0, v[:, 2].min()])
    r = np.linalg.norm((v - c) / [1.0, 1.0, 0.6 * 0.15 / 0.15], axis=1)
    # ridges (high pattern) stand out: radius correlates with the pattern on the top
    assert np.corrcoef(r[top], pat[top])[0, 1] > 0.2


def test_mesh_solver_gives_the_grid_wavelength_in_metres():
    """The same solver on a triangulated flat mesh with the mesh Laplacian and a cell of 8 mm
    grows the labyrinth at the grid's wavelength times the cell (the scale carries over to surfaces)."""
    h, cell = 0.008, 0.008
    t = np.arange(N) * h
    x, y = np.meshgrid(t, t, indexing="ij")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(N * N)], -1)
    i = (np.arange(N - 1)[:, None] * N + np.arange(N - 1)[None]).ravel()
    f = np.concatenate([np.stack([i, i + N, i + N + 1], -1), np.stack([i, i + N + 1, i + 1], -1)])
    _, vv = gray_scott(mesh_laplacian(v, f), 0.055, 0.062, 2500.0, np.random.default_rng(0), cell=cell,
                       neighbours=mesh_adjacency(f, len(v)))
    img = vv.reshape(N, N)
    win = np.hanning(N)[:, None] * np.hanning(N)[None]
    lam_mesh = wavelength((img - img.mean()) * win) * h  # metres
    lam_grid = wavelength(grid_run(0.055, 0.062)) * cell
    assert abs(lam_mesh / lam_grid - 1) < 0.2, (lam_mesh, lam_grid)
