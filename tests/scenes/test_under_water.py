"""Open water: the camera in mid-water far above the floor, drifting life and marine snow, the wavy
surface above; exact ground truth (murk out of it), determinism, marine snow's and the surface's flow."""

import numpy as np
import pytest
from geometry import nearest_triangle, refine_misses, render_still, scene_triangles_with_ids

from wildsynth.core import SeedTree, label_id
from wildsynth.core.motion import Fall, MotionSet
from wildsynth.generators.sea_motion import MarineSnowParams, WaveParams, marine_snow, marine_snow_motion, wave_sheet
from wildsynth.params import UserError, apply_overrides
from wildsynth.scenes import get
from wildsynth.scenes.coral_reef import WATER_LEVEL
from wildsynth.scenes.sea_scene import refracted_sun
from wildsynth.scenes.under_water import UnderWaterParams

SIZE = (64, 40)


def _camera():
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera

    eye = np.array([0.0, 0.0, -8.0])
    return Camera.from_hfov(160, 90, 75.0, look_at(eye, eye + np.array([0.0, 1.0, 0.1])))


def test_marine_snow_fills_the_view_and_drifts_rigidly():
    cam = _camera()
    p = MarineSnowParams(density=20.0)
    inst, fall = marine_snow(p, cam, 0.0, -0.2, 2.0, np.random.default_rng(0))
    n = len(inst)
    assert 4000 < n < 20000
    uv, z = cam.project(fall["centres"] + fall["velocity"] * 1.0)  # mid-shot (t = 1 of a 2 s shot)
    inside = (uv[:, 0] > 0) & (uv[:, 0] < cam.width) & (uv[:, 1] > 0) & (uv[:, 1] < cam.height) & (z > 0)
    assert inside.mean() > 0.95, "in view mid-shot"
    assert np.all(fall["centres"][:, 2] <= -0.25)
    sizes = np.linalg.norm(inst.transforms[:, :3, 0], axis=1)
    assert 0.001 < np.median(sizes) < 0.006
    m = marine_snow_motion(np.arange(1, n + 1, dtype=np.uint32), fall)
    assert isinstance(m, Fall) and MotionSet([m]).rigid
    drift = m.deltas(1.0)[:, :3, 3] - m.deltas(0.0)[:, :3, 3]
    assert np.median(drift[:, 0]) > 0.5 * p.drift and np.median(drift[:, 2]) < 0, "with the current, sinking"


def test_waves_follow_deep_water_dispersion_and_fade_to_flat_at_the_edge():
    p = WaveParams(height=0.4, radius=20.0, spacing=0.5)
    rest, amp, k_vec, omega, phase, fade = wave_sheet((3.0, -2.0), p, WATER_LEVEL, np.random.default_rng(1))
    k = np.linalg.norm(k_vec, axis=1)
    assert np.allclose(omega ** 2, 9.81 * k)
    assert np.isclose(2 * amp.sum(), p.height)
    edge = np.max(np.abs(rest.vertices[:, :2] - [3.0, -2.0]), axis=1) >= 0.95 * p.radius
    assert edge.any() and np.all(fade[edge] == 0.0) and fade.max() == 1.0
    assert np.allclose(rest.vertices[:, 2], WATER_LEVEL)
    d = refracted_sun((0.6, 0.0, 0.8))
    assert np.isclose(np.linalg.norm(d), 1.0, atol=1e-5)
    assert np.isclose(d[0], 0.6 / 1.333, atol=1e-5), "Snell: sin of the zenith angle / 1.333"


def test_parameters_are_settable_and_bad_values_are_one_line_errors():
    p = apply_overrides(UnderWaterParams, ["floor.depth=80", "snow.density=5", "camera_depth_min=20",
                                           "shafts=1.5"], what="under_water")
    assert (p.floor.depth, p.snow.density, p.camera_depth_min, p.shafts) == (80.0, 5.0, 20.0, 1.5)
    for bad, field in (["snow.density=-1"], "density"), (["waves.spacing=0"], "spacing"):
        with pytest.raises(UserError) as e:
            apply_overrides(UnderWaterParams, bad, what="under_water")
        assert field in str(e.value) and "\n" not in str(e.value)


def _compose(seed, size=SIZE, options=None, **over):
    from wildsynth.run import compose

    recipe = get("under_water")
    return compose(recipe, recipe.params.model_validate(over), SeedTree(seed), *size, options)


@pytest.fixture(scope="module")
def frame():
    c = _compose(0, snow={"density": 40.0, "size": 0.006})  # flocs big enough for pixel centres to hit at 64x40
    return (c, *render_still(c.scene, c.rig.main, SIZE))


@pytest.mark.blender
def test_open_water_renders_with_exact_ground_truth(frame):
    from dataclasses import replace

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    c, rgb, gt = frame
    scene, cam = c.scene, c.rig.main
    lin = rgb.linear.reshape(-1, 3).mean(0)
    assert lin[1] > lin[0] and lin[2] > lin[0], "blue-green water"
    depth_m = WATER_LEVEL - cam.position[2]
    p = UnderWaterParams()
    assert p.camera_depth_min - 1e-6 <= depth_m <= p.camera_depth_max + 1e-6
    bed = c.layout.ground.height(cam.position[:1], cam.position[1:2])[0]
    assert cam.position[2] - bed > 20.0, "the floor is far below"
    hit = np.isfinite(gt.depth)
    seen = np.unique(gt.instance[hit])
    classes = set(scene.id_to_class()[seen].tolist())
    assert label_id("water_surface") in classes
    assert label_id("weather_particle") in classes, "marine snow in view"
    pts = cam.backproject(np.where(hit, gt.depth, 0.0))[hit]
    tris, owner = scene_triangles_with_ids(scene, seen)
    tol = 0.01 + 0.001 * gt.depth[hit]
    dist, tri = refine_misses(pts, tris, *nearest_triangle(pts, tris), tol)
    assert np.mean(dist <= tol) >= 0.99, f"median distance {np.median(dist):.4g} m"
    assert np.mean(owner[tri] == gt.instance[hit]) >= 0.99
    surf = np.isin(gt.instance, [o.instance_id for o in scene.objects if o.semantic == "water_surface"])
    z = cam.backproject(np.where(surf, gt.depth, 0.0))[surf][:, 2]
    assert np.all(np.abs(z - WATER_LEVEL) <= p.waves.height / 2 + 0.02), "the surface within its wave height"
    clear = replace(scene, objects=[o for o in scene.objects if o.generator != "weather.murk"])
    with CyclesRenderer(clear, RenderSettings(width=SIZE[0], height=SIZE[1], samples=1, denoise=False,
                                              adaptive_min_samples=0), seed=0) as r:
        gt2 = r.render_gt(cam)
    assert np.array_equal(gt.instance, gt2.instance) and np.array_equal(gt.depth, gt2.depth), "murk out of GT"


@pytest.mark.blender
def test_drifting_life_and_same_seed_same_scene(frame):
    c, _, _ = frame
    kinds = {o.params["kind"] for o in c.scene.objects if o.generator.startswith("creatures.")}
    assert kinds <= {"fish", "jellyfish"} and kinds, kinds
    assert any("group" in o.params for o in c.scene.objects if o.generator.startswith("creatures.")), "a school"
    again = _compose(0, snow={"density": 40.0, "size": 0.006})
    a, b = c.scene, again.scene
    assert [o.name for o in a.objects] == [o.name for o in b.objects]
    for oa, ob in zip(a.objects, b.objects):
        ga, gb = oa.geometry, ob.geometry
        data = (ga.transforms, gb.transforms) if oa.is_instanced else (ga.vertices, gb.vertices)
        assert data[0].tobytes() == data[1].tobytes(), oa.name
    assert np.array_equal(c.rig.main.cam_to_world, again.rig.main.cam_to_world)


@pytest.mark.blender
@pytest.mark.slow
def test_marine_snow_and_surface_flow_are_exact():
    """A short shot: the forward flow of marine-snow pixels is the projection of the floc's rigid motion,
    and of surface pixels the projection of the hit point's barycentric point on the wave sheet at t+1."""
    from wildsynth.camera.shot import ShotOptions
    from wildsynth.core.surface import locate
    from wildsynth.gt.boxes import Boxes3D
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run.products import View, derive_view

    size = (96, 56)
    c = _compose(1, size, ShotOptions(frames=1, fps=4.0, flow=True), creatures={"density": 0},
                 murk={"density": 0}, snow={"density": 60.0, "size": 0.01}, camera=UnderWaterParams().camera.model_copy(update={"pitch_min": 20.0, "pitch_max": 30.0}).model_dump())
    scene, shot = c.scene, c.shot
    motions = MotionSet(list(scene.motions))
    times = [float(t) for t in shot.times]
    views = {}
    with CyclesRenderer(scene, RenderSettings(width=size[0], height=size[1], samples=1, denoise=False,
                                              adaptive_min_samples=0), seed=0) as r:
        for k, t in enumerate(times):
            r.set_time(motions, t)
            views[k] = {"main": View(shot.rigs[k].main, r.render_gt(shot.rigs[k].main))}
    k = shot.frames[0]
    p = derive_view("main", views[k], views[k - 1], views[k + 1], tuple(times[k - 1:k + 2]), motions, scene.n_ids,
                    scene.id_to_class(), Boxes3D(scene), None)
    ta, tb = times[k], times[k + 1]
    cam_a, cam_b = p.camera, views[k + 1]["main"].camera
    pts = cam_a.backproject(np.where(np.isfinite(p.passes.depth), p.passes.depth, 1.0))
    snow = [m for m in scene.motions if isinstance(m, Fall)][0]
    waves = [m for m in scene.motions if type(m).__name__ == "SurfaceWaves"][0]
    rows, cols = np.nonzero(np.isin(p.passes.instance, snow.ids))
    assert len(rows) >= 10
    ids = p.passes.instance[rows, cols]
    rel = snow.deltas(tb) @ np.linalg.inv(snow.deltas(ta))
    order = np.argsort(snow.ids)
    r = rel[order[np.searchsorted(snow.ids, ids, sorter=order)]]
    moved = np.einsum("nij,nj->ni", r[:, :3, :3], pts[rows, cols]) + r[:, :3, 3]
    expect = cam_b.project(moved)[0] - np.stack([cols + 0.5, rows + 0.5], -1)
    assert np.abs(p.fwd.flow[rows, cols] - expect).max() < 0.02
    rows, cols = np.nonzero(p.passes.instance == waves.ids[0])
    assert len(rows) >= 10, "the wavy sheet in view"
    va, vb = waves.vertices(ta)[0], waves.vertices(tb)[0]
    tri, bary, dist = locate(pts[rows, cols], va, waves.faces[0])
    assert np.median(dist) < 0.005, "the rendered surface is the sheet posed for its time"
    ok = dist < 0.01
    moved = np.einsum("nj,njd->nd", bary, vb[waves.faces[0][tri]])
    expect = cam_b.project(moved)[0] - np.stack([cols + 0.5, rows + 0.5], -1)
    assert np.abs(p.fwd.flow[rows, cols][ok] - expect[ok]).max() < 0.02
    assert np.abs(va[:, 2] - vb[:, 2]).max() > 0.01, "the waves move"
