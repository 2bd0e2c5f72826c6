"""Terrain water: lakes fill basins to their spill level, rivers follow the drainage and fall downstream."""

import numpy as np
import pytest
from scipy import ndimage
from skimage.morphology import reconstruction

from wildsynth.core import SeedTree
from wildsynth.generators.terrain import landforms as lf
from wildsynth.generators.terrain.erosion import d8_receivers, fill_depressions, flow_accumulation
from wildsynth.generators.terrain.field import GridParams, LakesParams, TerrainField, find_lakes
from wildsynth.generators.terrain.lod import ViewCone
from wildsynth.generators.water import lake_meshes, river_mesh, river_ripples

GRID = GridParams(resolution=128)  # 4 km at 31 m cells: fast, still holds the basins and the valley


def _bowl(n=64, notch=4.0):
    """A bowl 10 m deep inside a rim 10 m high with one notch of height ``notch`` on its east side,
    the land outside the rim falling to the border."""
    y, x = np.mgrid[0:n, 0:n].astype(float)
    r = np.hypot(x - n / 2, y - n / 2)
    z = np.where(r < 20, -10.0 + 20.0 * (r / 20) ** 2, 10.0 - (r - 20) * 0.5)
    z[n // 2, n // 2 + 17:n // 2 + 23] = np.minimum(z[n // 2, n // 2 + 17:n // 2 + 23], notch)  # the notch
    z[n // 2, n // 2 + 23:] = np.minimum(z[n // 2, n // 2 + 23:], notch - 1.0 - np.arange(n - n // 2 - 23))
    return z


def test_priority_flood_matches_morphological_reconstruction():
    rng = np.random.default_rng(0)
    h = ndimage.gaussian_filter(rng.normal(size=(96, 80)), 3) * 50
    seed = h.copy()
    seed[1:-1, 1:-1] = h.max()
    ref = reconstruction(seed, h, method="erosion")
    assert np.allclose(fill_depressions(h), ref, atol=1e-12)
    f = fill_depressions(h, eps=1e-4)
    assert np.all(f >= ref) and np.all(f - ref < 1e-4 * h.size)


def test_d8_drains_every_cell_to_the_border():
    rng = np.random.default_rng(1)
    f = fill_depressions(ndimage.gaussian_filter(rng.normal(size=(60, 70)), 2) * 20, eps=1e-4)
    rec = d8_receivers(f)
    inner = rec[1:-1, 1:-1].ravel()
    assert np.all(inner >= 0), "every inner cell has a lower neighbour"
    assert np.all(f.ravel()[inner] < f[1:-1, 1:-1].ravel()), "receivers are lower"
    acc = flow_accumulation(f, rec)
    border = np.ones(f.shape, bool)
    border[1:-1, 1:-1] = False
    assert acc[border].sum() == f.size, "all the water leaves through the border (accumulation conserves cells)"


def test_lake_fills_a_bowl_to_its_notch():
    z = _bowl()
    lakes, _ = find_lakes(z, 10.0, 0.0, LakesParams(enabled=True, min_area=100.0, min_depth=1.0))
    assert len(lakes) == 1
    lake = lakes[0]
    assert lake.level == pytest.approx(4.0)  # the spill level is the notch, not the rim
    assert np.all(z[lake.cells] < lake.level) and lake.max_depth == pytest.approx(14.0)
    inside = np.hypot(*(np.mgrid[0:64, 0:64] - 32.0)) < 20
    assert np.array_equal(lake.cells, inside & (z < 4.0)), "the lake is the bowl below the notch, nothing outside"


@pytest.fixture(scope="module")
def lake_field():
    return TerrainField(lf.LakeParams(), SeedTree(0), GRID, lakes=LakesParams(enabled=True))


def test_lakes_lie_in_their_basins_at_the_spill_level(lake_field):
    f = lake_field
    assert f.lakes, "the lake landform holds a lake"
    z = f.grid_height
    for lake in f.lakes:
        assert np.all(z[lake.cells] < lake.level), "the grid under the lake is below its surface"
        ring = ndimage.binary_dilation(lake.cells, structure=np.ones((3, 3))) & ~lake.cells
        assert np.all(z[ring] >= lake.level - 1e-9), "the lake is enclosed: its shore is at or above the level"
        assert z[ring].min() == pytest.approx(lake.level, abs=1e-9), "the level is the lowest pass (spill point)"
        assert lake.area >= f.lake_params.min_area and lake.max_depth >= f.lake_params.min_depth
    # water level and distance to water follow the lakes
    main = f.lakes[0]
    ii, jj = np.nonzero(main.cells)
    x, y = f.x0 + jj * f.cell, f.x0 + ii * f.cell
    assert np.all(f.water_level(x, y) == main.level)
    assert np.all(f.water_dist[main.cells] == 0)
    far = f.water_dist > 500
    assert far.any() and f.moisture[main.cells].mean() > f.moisture[far].mean()


def test_lake_mesh_is_a_flat_sheet_over_its_basin(lake_field):
    f = lake_field
    hint = f.view_hint()
    eye = np.array([hint.eye[0], hint.eye[1], f.height(hint.eye[:1], hint.eye[1:])[0] + 3.0])
    sheets = lake_meshes([ViewCone(eye, hint.yaw, np.radians(70), 160)], f)
    assert sheets and {lake.id for lake, _ in sheets} <= {lk.id for lk in f.lakes}
    for lake, m in sheets:
        v = m.vertices.astype(np.float64)
        assert np.allclose(v[:, 2], lake.level, atol=1e-3), "flat at the spill level"
        ground = f.height(v[:, 0], v[:, 1])
        assert np.all(ground[m.faces].min(axis=1) < lake.level), "every face reaches over water"
        c = v[m.faces].mean(axis=1)
        if len(m.faces) > 50:  # (a far lake may be a few big triangles)
            assert np.mean(f.height(c[:, 0], c[:, 1]) < lake.level) > 0.8, "the sheet lies inside its basin"
        assert np.all(f.lake_at(c[:, 0], c[:, 1]) == lake.id)
    assert max(len(m.faces) for _, m in sheets) > 1000, "the lake in view is meshed finely"


@pytest.fixture(scope="module")
def river_field():
    return TerrainField(lf.RiverParams(), SeedTree(0), GRID)


def test_river_follows_the_drainage_and_falls_downstream(river_field):
    f = river_field
    r = f.water.river
    assert np.all(np.diff(r.levels) <= 0), "the water level never rises downstream"
    assert r.levels[0] - r.levels[-1] > 10.0
    # the D8 main stem descends on the depression-filled grid
    filled = fill_depressions(f.grid_height, eps=1e-4).ravel()
    assert np.all(np.diff(filled[f.river_cells]) < 0)
    # the bed along the course (after carving) never rises downstream and lies under the water
    bed = f.height(r.course[:, 0], r.course[:, 1])
    assert np.all(np.diff(bed) <= 1e-6)
    assert np.all(bed < f.water_level(r.course[:, 0], r.course[:, 1]) - 0.3)
    # the course runs down the terrain: the ground along it (before carving) never climbs far
    ground = f._height_uncarved(r.course[:, 0], r.course[:, 1])
    climb = ground - np.minimum.accumulate(ground)
    inside = np.max(np.abs(r.course), axis=1) < -f.x0
    assert np.percentile(climb[inside], 95) < 2.0 and climb[inside].max() < 6.0
    # it drains the valley: the most drained cell lies on the course, and the river widens downstream
    assert np.argmax(f.drainage.ravel()) in set(f.river_cells.tolist()) or \
        f.drainage.ravel()[f.river_cells].max() > 0.5 * f.drainage.max()
    assert np.all(np.diff(r.widths) >= -1e-9) and r.widths[-1] > r.widths[0]


def test_river_mesh_covers_the_channel_at_the_river_level(river_field):
    f = river_field
    r = f.water.river
    hint = f.view_hint()
    eye = np.array([hint.eye[0], hint.eye[1], f.height(hint.eye[:1], hint.eye[1:])[0] + 3.0])
    m = river_mesh([ViewCone(eye, hint.yaw, np.radians(70), 160)], r)
    v = m.vertices.astype(np.float64)
    pr = r.project(v[:, 0], v[:, 1])
    near = pr["distance"] < 1.5 * pr["width"]
    assert near.mean() > 0.9 and np.all(np.abs(v[near, 2] - pr["level"][near]) < 0.05), "at the river's level"
    assert v[:, 2].max() < r.levels.max() + 0.05 and v[:, 2].min() > r.levels.min() - 0.05
    # the channel floor is under the water across the middle of the river
    mid = pr["distance"] < 0.3 * pr["width"]
    assert mid.sum() > 100 and np.all(f.height(v[mid, 0], v[mid, 1]) < v[mid, 2])


def test_river_ripples_are_irregular_small_and_fade_on_coarse_triangles():
    u = np.arange(0.0, 200.0, 0.02)
    v = np.zeros_like(u)
    fine = np.full_like(u, 0.02)
    h = river_ripples(u, v, fine, np.random.default_rng(3))
    assert 0.002 < h.std() < 0.02 and np.abs(h).max() < 0.06
    # no single wave train: the strongest frequency holds a small share of the power (the two
    # sines this replaced held over half of it)
    power = np.abs(np.fft.rfft(h - h.mean())) ** 2
    assert power.max() / power.sum() < 0.3  # 0.12-0.23 over seeds 0-5; the two old sines: 0.64
    # calm and rippled stretches: the local amplitude (over 5 m) varies along the river
    local = h[: len(h) // 250 * 250].reshape(-1, 250).std(axis=1)
    assert local.max() > 2.5 * local.min()
    # a train fades where the vertex spacing exceeds a quarter of its wavelength: none is left at 2 m
    assert np.all(river_ripples(u, v, np.full_like(u, 2.0), np.random.default_rng(3)) == 0.0)
    coarse = river_ripples(u, v, np.full_like(u, 0.3), np.random.default_rng(3))
    assert coarse.std() < h.std()
    assert np.array_equal(h, river_ripples(u, v, fine, np.random.default_rng(3)))
    assert not np.array_equal(h, river_ripples(u, v, fine, np.random.default_rng(4)))


def test_water_is_deterministic_per_seed(river_field, lake_field):
    again = TerrainField(lf.RiverParams(), SeedTree(0), GRID)
    assert np.array_equal(again.water.river.course, river_field.water.river.course)
    assert np.array_equal(again.water.river.levels, river_field.water.river.levels)
    other = TerrainField(lf.RiverParams(), SeedTree(1), GRID)
    assert not np.array_equal(other.water.river.course[:50], river_field.water.river.course[:50])
    lakes = TerrainField(lf.LakeParams(), SeedTree(0), GRID, lakes=LakesParams(enabled=True))
    assert [lk.level for lk in lakes.lakes] == [lk.level for lk in lake_field.lakes]
    assert np.array_equal(lakes.lake_id, lake_field.lake_id)
