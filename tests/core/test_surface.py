"""core.surface.locate on meshes whose triangles differ in size by orders of magnitude."""

import numpy as np

from wildsynth.core.surface import closest_barycentric, locate


def _brute(q, v, f):
    tris = v[f]
    best = np.full(len(q), np.inf)
    for k in range(0, len(f), 400):
        c = tris[k:k + 400]
        qq = np.repeat(q, len(c), 0)
        cc = np.tile(c, (len(q), 1, 1))
        b = closest_barycentric(qq, cc[:, 0], cc[:, 1], cc[:, 2])
        d = np.linalg.norm(np.einsum("nk,nkd->nd", b, cc) - qq, axis=1).reshape(len(q), len(c))
        best = np.minimum(best, d.min(1))
    return best


def _grid_with_slivers(n=40):
    """A wavy 10 m grid of small triangles plus two 20-40 m slivers above and below it."""
    xs = np.linspace(0.0, 10.0, n)
    x, y = np.meshgrid(xs, xs)
    v = np.c_[x.ravel(), y.ravel(), 0.1 * np.sin(x.ravel())]
    i = np.arange(n * n).reshape(n, n)
    f = np.r_[np.c_[i[:-1, :-1].ravel(), i[1:, :-1].ravel(), i[:-1, 1:].ravel()],
              np.c_[i[1:, :-1].ravel(), i[1:, 1:].ravel(), i[:-1, 1:].ravel()]]
    long = np.array([[0, 0, 2], [40, 0, 2], [0, 0.1, 2.05], [0, 20, -1], [0.1, 20, -1], [30, 30, -1]], float)
    return np.r_[v, long], np.r_[f, [[n * n, n * n + 1, n * n + 2], [n * n + 3, n * n + 4, n * n + 5]]]


def test_locate_is_exact_with_triangles_of_very_different_sizes():
    v, f = _grid_with_slivers()
    rng = np.random.default_rng(3)
    off = np.c_[rng.uniform(-2, 12, (400, 2)), rng.uniform(-2, 3, 400)]  # off the mesh, near either kind
    tri, bary, d = locate(off, v, f)
    assert np.allclose(d, _brute(off, v, f), atol=1e-12)
    # the returned triangle and coordinates give that distance
    assert np.allclose(np.linalg.norm(np.einsum("nk,nkd->nd", bary, v[f[tri]]) - off, axis=1), d, atol=1e-12)
    assert (bary >= -1e-12).all() and np.allclose(bary.sum(1), 1.0)


def test_locate_finds_points_lying_on_the_mesh_on_their_own_triangle():
    v, f = _grid_with_slivers()
    rng = np.random.default_rng(4)
    which = np.r_[rng.integers(0, len(f) - 2, 300), [len(f) - 2, len(f) - 1]]  # the slivers too
    b = rng.dirichlet([2, 2, 2], len(which))
    on = np.einsum("nk,nkd->nd", b, v[f[which]])
    tri, bary, d = locate(on, v, f)
    assert d.max() < 1e-9
    assert np.allclose(np.einsum("nk,nkd->nd", bary, v[f[tri]]), on, atol=1e-9)
