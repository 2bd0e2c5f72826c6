"""Terrain: landforms, eroded field, camera-following meshes without cracks, SDF meshing."""

import numpy as np
import pytest

from wildsynth.core import SeedTree
from wildsynth.generators.terrain import landforms as lf
from wildsynth.generators.terrain.field import GridParams, MeshParams, TerrainField, split_faces
from wildsynth.generators.terrain.sdf import CaveParams, CaveSystem, SphericalGridParams, mesh_sdf_spherical, spherical_axes
from wildsynth.generators.water import WaveParams, gerstner

LANDFORMS = [lf.MountainParams, lf.PlainsParams, lf.DuneParams, lf.CanyonParams, lf.CliffParams,
             lf.CoastParams, lf.RiverParams, lf.ArcticParams, lf.LakeParams]
SMALL = GridParams(size=800.0, resolution=48)


def _edges(faces):
    e = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    return np.unique(e, axis=0, return_counts=True)


@pytest.mark.parametrize("P", LANDFORMS, ids=lambda P: P.__name__)
def test_landform_fields_deterministic_finite_and_seed_dependent(P):
    a = TerrainField(P(), SeedTree(1), SMALL)
    b = TerrainField(P(), SeedTree(1), SMALL)
    c = TerrainField(P(), SeedTree(2), SMALL)
    x = np.linspace(-1500, 1500, 301)
    y = 0.37 * x + 20
    ha, hb, hc = a.height(x, y), b.height(x, y), c.height(x, y)
    assert np.all(np.isfinite(ha)) and np.array_equal(ha, hb)
    assert not np.array_equal(ha, hc)
    assert ha.std() > 0.2  # not flat


def test_mountain_parameters_act():
    lo = TerrainField(lf.MountainParams(peak_height=200.0), SeedTree(0), GridParams(erosion=False, resolution=8))
    hi = TerrainField(lf.MountainParams(peak_height=2000.0), SeedTree(0), GridParams(erosion=False, resolution=8))
    x = np.linspace(-3000, 3000, 2001)
    assert np.ptp(hi.height(x, x)) > 5 * np.ptp(lo.height(x, x))
    with pytest.raises(ValueError):
        lf.MountainParams(roughness=2.0)


def test_erosion_changes_the_surface_and_stays_continuous_at_the_grid_edge():
    f = TerrainField(lf.MountainParams(), SeedTree(0), GridParams(size=1000.0, resolution=64))
    assert np.abs(f.delta).max() > 1.0
    edge = 500.0
    y = np.linspace(-400, 400, 50)
    inside = f.height(np.full(50, edge - 1e-3), y) - f.landform.height(np.full(50, edge - 1e-3), y)
    assert np.abs(inside).max() < 1e-3  # the erosion change fades to zero at the border
    assert 0.0 <= f.moisture.min() and f.moisture.max() <= 1.0


def test_dunes_crests_run_across_the_wind():
    p = lf.DuneParams(wind_direction=0.0, crest_warp=0.0, ripple_height=0.0)
    f = TerrainField(p, SeedTree(0), GridParams(erosion=False, resolution=8))
    t = np.linspace(0, 2000, 4001)
    along = f.landform.height(t, np.zeros_like(t) + 7.0)  # along the wind: dunes go up and down
    across = f.landform.height(np.zeros_like(t) + 7.0, t)
    assert np.std(np.diff(along)) > 3 * np.std(np.diff(across))


def test_terrain_mesh_has_no_cracks_and_masks():
    f = TerrainField(lf.CanyonParams(), SeedTree(0), SMALL)
    eye = np.array([10.0, 5.0, f.height(np.array([10.0]), np.array([5.0]))[0] + 2.0])
    m = f.mesh_around(eye, 0.4, np.radians(70), 96, MeshParams(extent=3000.0), near=1.0)
    uniq, counts = _edges(m.faces)
    assert counts.max() <= 2
    r = np.hypot(m.vertices[:, 0] - eye[0], m.vertices[:, 1] - eye[1])
    boundary = uniq[counts == 1].ravel()
    assert np.allclose(r[boundary], r.max(), rtol=1e-4), "boundary edges only on the outer ring"
    for k in ("slope", "height", "moisture", "water_dist", "snow", "beach", "cave"):
        assert k in m.attributes and np.all(np.isfinite(m.attributes[k]))
    # splitting by class keeps seams exact: the parts' union has the same boundary
    cls = (m.attributes["slope"][m.faces].mean(1) > 0.3).astype(int)
    parts = split_faces(m, cls)
    assert sum(p.n_triangles for p in parts.values()) == m.n_triangles
    allv = np.concatenate([p.vertices[p.faces].reshape(-1, 3) for p in parts.values()])
    keys = np.unique(np.round(allv, 4), axis=0)
    assert len(keys) == len(np.unique(np.round(m.vertices[np.unique(m.faces)], 4), axis=0))


def test_triangles_follow_the_camera():
    f = TerrainField(lf.PlainsParams(), SeedTree(0), SMALL)
    eye = np.array([0.0, 0.0, f.height(np.zeros(1), np.zeros(1))[0] + 2.0])
    m = f.mesh_around(eye, 0.0, np.radians(60), 96, MeshParams(extent=2000.0))
    c = m.vertices[m.faces].mean(1)
    v = m.vertices[m.faces]
    edge = np.linalg.norm(v - np.roll(v, 1, axis=1), axis=2).min(axis=1)  # shortest edge: the angular one
    ang = np.arctan2(c[:, 1], c[:, 0])
    dist = np.hypot(c[:, 0], c[:, 1])
    front = (np.abs(ang) < 0.3) & (dist > 20) & (dist < 40)
    back = (np.abs(ang) > 2.8) & (dist > 20) & (dist < 40)
    far = (np.abs(ang) < 0.3) & (dist > 500) & (dist < 1000)
    area = np.linalg.norm(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0]), axis=1)
    assert np.median(area[back]) > 5 * np.median(area[front])  # coarser behind
    assert np.median(edge[far]) > 10 * np.median(edge[front])  # coarser with distance
    # in view, a triangle spans about pixels_per_triangle pixels (angular size)
    px = np.median(edge[front] / dist[front]) / (np.radians(60) / 96)
    assert 1.0 < px < 3.0


def test_river_and_coast_water_levels():
    r = TerrainField(lf.RiverParams(), SeedTree(0), SMALL)
    riv = r.water.river
    on = np.max(np.abs(riv.course), axis=1) < 1500.0
    px, py = riv.course[on, 0], riv.course[on, 1]  # points on the river's course (traced on the grid)
    assert len(px) > 50
    assert np.all(r.height(px, py) < r.water_level(px, py) - 0.3), "the river bed lies under its water"
    coast = TerrainField(lf.CoastParams(), SeedTree(0), SMALL)
    x = np.linspace(-2000, 2000, 801)
    h = coast.height(x * -np.sin(coast.landform.angle), x * np.cos(coast.landform.angle))
    assert h.min() < -5 and h.max() > 10  # sea floor and land along a line across the shore


def test_gerstner_waves_do_not_fold():
    p = WaveParams()
    x, y = np.meshgrid(np.linspace(0, 60, 241), np.linspace(0, 60, 241))
    d = gerstner(x.ravel(), y.ravel(), p, np.random.default_rng(0)).reshape(241, 241, 3)
    X, Y = x + d[..., 0], y + d[..., 1]
    jac = np.gradient(X, axis=1) * np.gradient(Y, axis=0) - np.gradient(X, axis=0) * np.gradient(Y, axis=1)
    assert jac.min() > 0 and 0.1 < d[..., 2].std() < 2.0


def _sphere_mesh(center, radius, eye=np.zeros(3), ppv=8.0):
    gp = SphericalGridParams(pixels_per_voxel=ppv, r_max=30.0)
    axes = spherical_axes(eye, 0.0, 0.0, np.radians(75), np.radians(50), 160, gp)
    sdf = lambda p: np.linalg.norm(p - center, axis=1) - radius  # noqa: E731  (solid inside)
    return mesh_sdf_spherical(sdf, eye, *axes), sdf


@pytest.mark.parametrize("where", ["ahead", "behind", "on_the_seam"])
def test_sdf_mesh_of_a_closed_solid_is_watertight_and_outward(where):
    eye = np.zeros(3)
    gp = SphericalGridParams(pixels_per_voxel=8.0, r_max=30.0)
    theta = spherical_axes(eye, 0.0, 0.0, np.radians(75), np.radians(50), 160, gp)[0]
    ang = {"ahead": 0.1, "behind": np.pi, "on_the_seam": theta[0]}[where]
    center = 7.0 * np.array([np.cos(ang), np.sin(ang), 0.1])
    m, sdf = _sphere_mesh(center, 2.5)
    _, counts = _edges(m.faces)
    assert m.n_triangles > 100 and np.all(counts == 2), "every edge shared by exactly two faces"
    fn = m.face_normals()
    c = m.vertices[m.faces].mean(1)
    assert np.mean(((c - center) * fn).sum(1) > 0) > 0.999
    rad = np.linalg.norm(m.vertices - center, axis=1)
    assert np.abs(rad - 2.5).max() < 0.25  # linear interpolation in voxels up to ~1.8 m (behind the camera)


def test_cave_sdf_mesh_has_no_holes_inside_the_covered_volume():
    ground = lambda x, y: 0.02 * np.asarray(x) + 0 * np.asarray(y)  # noqa: E731
    cave = CaveSystem(CaveParams(segments=4, chambers=1, branches=0, skylight=0.0), SeedTree(0), ground)
    centre, radius = cave.chambers[0]
    eye = centre.copy()
    gp = SphericalGridParams(pixels_per_voxel=10.0, r_max=40.0)
    axes = spherical_axes(eye, 0.0, 0.0, np.radians(75), np.radians(50), 96, gp)
    m = mesh_sdf_spherical(cave.sdf, eye, *axes)
    uniq, counts = _edges(m.faces)
    assert counts.max() <= 2
    # boundary edges only where the grid ends: the outer sphere or the polar caps
    b = m.vertices[uniq[counts == 1].ravel()] - eye
    r = np.linalg.norm(b, axis=1)
    elev = np.degrees(np.arcsin(np.clip(b[:, 2] / np.maximum(r, 1e-9), -1, 1)))
    assert np.all((r > 0.97 * gp.r_max) | (np.abs(elev) > gp.max_elevation_deg - 6.0))
    assert cave.sdf(eye[None])[0] > 0.5, "the chamber centre is open air"


def test_narrow_band_sampling_gives_the_same_mesh_as_dense_sampling():
    ground = lambda x, y: 0.03 * np.asarray(x) + 0 * np.asarray(y)  # noqa: E731
    cave = CaveSystem(CaveParams(segments=5, chambers=2, branches=1), SeedTree(4), ground)
    centre, _ = cave.chambers[0]
    axes = spherical_axes(centre, 0.3, 0.0, np.radians(75), np.radians(50), 64,
                          SphericalGridParams(pixels_per_voxel=6.0, r_max=40.0))
    dense = mesh_sdf_spherical(cave.sdf, centre, *axes, coarse=1)
    band = mesh_sdf_spherical(cave.sdf, centre, *axes, coarse=4)
    assert dense.n_triangles > 500
    assert band.n_triangles == dense.n_triangles
    assert np.allclose(np.sort(band.vertices, axis=0), np.sort(dense.vertices, axis=0), atol=1e-4)


def test_rock_formations_are_closed_surfaces_standing_in_view():
    from wildsynth.generators.terrain.formations import FormationParams, Formations

    ground = lambda x, y: 0.0 * np.asarray(x) + 0 * np.asarray(y)  # noqa: E731
    eye = np.array([0.0, 0.0, 2.0])
    for kind in ("arch", "hoodoo", "warped"):
        f = Formations(FormationParams(count=1, kinds=(kind,), size=6.0, distance_min=25.0, distance_max=30.0),
                       SeedTree(1), eye, 0.0, np.radians(70), ground)
        m = f.mesh(eye, 0.0, 0.0, np.radians(70), np.radians(45), 160)
        _, counts = _edges(m.faces)
        assert m.n_triangles > 200 and np.all(counts == 2), kind
        c = m.vertices.mean(0)
        assert 15.0 < np.hypot(c[0], c[1]) < 40.0 and abs(np.arctan2(c[1], c[0])) < np.radians(40)
        assert m.vertices[:, 2].max() > 3.0  # stands above the ground
    # an arch has a hole through it: a horizontal line under its crown crosses open air
    f = Formations(FormationParams(count=1, kinds=("arch",), size=8.0, warp=0.0, distance_min=30.0,
                                   distance_max=30.0), SeedTree(2), eye, 0.0, np.radians(70), ground)
    _, c, ang, s, jit = f.items[0]
    along = np.array([np.cos(ang), np.sin(ang), 0.0])
    pts = c + np.outer(np.linspace(-0.3, 0.3, 7) * s, along) + np.array([0, 0, 0.3 * s])
    assert np.all(f.sdf(pts) > 0), "open air under the crown"
    crown = c + np.array([0, 0, 0.85 * s * jit[0]])  # the top of the ring
    assert f.sdf(crown[None])[0] < 0, "rock at the crown"
