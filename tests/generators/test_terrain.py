"""Terrain: landforms, eroded field, camera-following meshes without cracks (SDF meshing: test_sdf.py)."""

import numpy as np
import pytest

from wildsynth.core import SeedTree
from wildsynth.core.axes import yaw_pitch_to_cam
from wildsynth.core.camera import Camera
from wildsynth.generators.terrain import landforms as lf
from wildsynth.generators.terrain.field import (
    GridParams,
    MeshParams,
    TerrainField,
    split_faces,
)
from wildsynth.generators.water import WaveParams, gerstner

LANDFORMS = [lf.MountainParams, lf.HillsParams, lf.DuneParams, lf.CanyonParams, lf.CliffParams,
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


def _camera(eye, yaw, hfov_deg, width):
    return Camera.from_hfov(width, width * 3 // 4, hfov_deg, yaw_pitch_to_cam(eye, yaw, 0.0))


def test_terrain_mesh_has_no_cracks_and_masks():
    f = TerrainField(lf.CanyonParams(), SeedTree(0), SMALL)
    eye = np.array([10.0, 5.0, f.height(np.array([10.0]), np.array([5.0]))[0] + 2.0])
    m = f.mesh_for([_camera(eye, 0.4, 70.0, 96)], MeshParams(extent=3000.0))
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
    f = TerrainField(lf.HillsParams(), SeedTree(0), SMALL)
    eye = np.array([0.0, 0.0, f.height(np.zeros(1), np.zeros(1))[0] + 2.0])
    m = f.mesh_for([_camera(eye, 0.0, 60.0, 96)], MeshParams(extent=2000.0), near=False)
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
