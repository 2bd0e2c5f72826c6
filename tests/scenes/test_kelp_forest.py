"""The kelp forest: holdfasts dense on rock, the current's sway (stipes keep their length, tops stay under the
surface, not rigid), the scene end to end with exact ground truth (murk out of it), determinism, and the
kelp's flow: the projection of its vertex motion at sampled hit points."""

import numpy as np
import pytest
from geometry import nearest_triangle, refine_misses, render_still, scene_triangles_with_ids

from wildsynth.core import SeedTree, label_id
from wildsynth.generators.sea_motion import CurrentParams, CurrentSway, squeeze_under
from wildsynth.params import UserError, apply_overrides
from wildsynth.scenes import get
from wildsynth.scenes.coral_reef import WATER_LEVEL, ReefFloor
from wildsynth.scenes.kelp_forest import CEILING_GAP, KelpForestParams, kelp_obstacles, plan_kelp

FAST = {"kelp": {"tiny": True}, "life": {"tiny": True}}
SIZE = (64, 40)


def test_kelp_grows_densely_on_rock_to_near_the_surface():
    p = KelpForestParams()
    floor = ReefFloor(p.floor, SeedTree(0).child("floor"))
    plan = plan_kelp(p.kelp, floor, (0.0, 0.0), SeedTree(0).child("kelp"))
    assert len(plan.base) > 50
    on_rock = floor.reef(plan.base[:, 0], plan.base[:, 1]) > 0.5
    x, y = np.meshgrid(np.linspace(-20, 20, 81), np.linspace(-20, 20, 81))
    share = (floor.reef(x, y) > 0.5).mean()
    assert on_rock.mean() / share > 3.0 * (1 - on_rock.mean()) / (1 - share), "far denser on rock than on sand"
    assert np.allclose(plan.base[:, 2], floor.height(plan.base[:, 0], plan.base[:, 1]))
    depth = WATER_LEVEL - CEILING_GAP - plan.base[:, 2]
    assert np.all(plan.height <= 1.25 * p.kelp.height_max * depth + 1e-9)
    assert np.median(plan.height / depth) > 0.6, "the fronds reach most of the way up"
    obs = kelp_obstacles(plan, p.kelp)
    tops = plan.base + np.outer(plan.height, [0, 0, 1])
    d = np.linalg.norm(tops[:, None] - obs.centers[None], axis=-1) - obs.radii[None]
    assert d.min(1).max() < 2.0 * p.kelp.current.lean * plan.height.max(), "spheres follow every stipe up"


def _stipe(height=10.0, n=200):
    z = np.linspace(0.0, height, n)
    v = np.stack([np.zeros(n), np.zeros(n), z - 12.0], -1)
    faces = np.stack([np.arange(n - 2), np.arange(1, n - 1), np.arange(2, n)], -1)
    return v, faces


def test_the_current_bends_a_stipe_keeping_its_length_and_never_rigidly():
    v, f = _stipe()
    p = CurrentParams(lean=0.3, amplitude=0.1, heading=0.0)
    sway = CurrentSway([1], [v], [f], [v[0]], [10.0], [[0.3, 1.1]], p, 0.0, ceiling=-0.3)
    lengths, tops = [], []
    for t in np.linspace(0.0, 14.0, 8):
        w = sway.vertices(t)[0]
        lengths.append(np.linalg.norm(np.diff(w, axis=0), axis=1).sum())
        tops.append(w[-1])
        assert np.allclose(w[0], v[0]), "the holdfast stays"
        assert w[:, 2].max() <= -0.3
    assert np.allclose(lengths, 10.0, rtol=0.01), lengths
    tops = np.array(tops)
    assert tops[:, 0].mean() > 1.5, "the tops lean downstream (+x)"
    assert np.ptp(tops[:, 0]) > 0.5 and np.ptp(tops[:, 1]) > 0.1, "and sway along and across the current"
    # not a rigid motion: the best rigid fit of t=0 onto t=3 leaves residuals
    a, b = sway.vertices(0.0)[0], sway.vertices(3.0)[0]
    ca, cb = a - a.mean(0), b - b.mean(0)
    u, _, vt = np.linalg.svd(ca.T @ cb)
    r = (u @ vt).T
    if np.linalg.det(r) < 0:
        vt[-1] *= -1
        r = (u @ vt).T
    assert np.abs(ca @ r.T - cb).max() > 0.05
    # a tall frond is squeezed smoothly under the surface, monotone in height
    tall = squeeze_under(np.stack([np.zeros(50), np.zeros(50), np.linspace(-3, 3, 50)], -1), -0.3)
    assert tall[:, 2].max() <= -0.3 and np.all(np.diff(tall[:, 2]) > 0)


def test_parameters_are_settable_and_bad_values_are_one_line_errors():
    p = apply_overrides(KelpForestParams, ["floor.depth=18", "kelp.fronds=4", "kelp.current.period=5",
                                           "waves.height=0", "life.tiny=true"], what="kelp_forest")
    assert (p.floor.depth, p.kelp.fronds, p.kelp.current.period, p.waves.height) == (18.0, 4, 5.0, 0.0)
    assert "seagrass" in p.life.sand_mix and "brain_coral" not in p.life.reef_mix, "the kelp forest's own mixes"
    for bad, field in (["kelp.fronds=0"], "fronds"), (["kelp.current.lean=2"], "lean"):
        with pytest.raises(UserError) as e:
            apply_overrides(KelpForestParams, bad, what="kelp_forest")
        assert field in str(e.value) and "\n" not in str(e.value)


def _compose(seed, size=SIZE, options=None, **over):
    from wildsynth.run import compose

    recipe = get("kelp_forest")
    return compose(recipe, recipe.params.model_validate({**FAST, **over}), SeedTree(seed), *size, options)


@pytest.fixture(scope="module")
def frame():
    c = _compose(0)
    return (c, *render_still(c.scene, c.rig.main, SIZE))


@pytest.mark.blender
def test_renders_with_exact_ground_truth_and_murk_out_of_it(frame):
    from dataclasses import replace

    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    c, rgb, gt = frame
    scene, cam = c.scene, c.rig.main
    assert rgb.display.std() > 1.0
    lin = rgb.linear.reshape(-1, 3).mean(0)
    assert lin[1] > lin[0] and lin[2] > lin[0], "blue-green water"
    hit = np.isfinite(gt.depth)
    assert hit.mean() > 0.9, "bed, kelp, life or the surface behind every pixel"
    seen = np.unique(gt.instance[hit])
    classes = set(scene.id_to_class()[seen].tolist())
    assert label_id("kelp") in classes, "kelp visible"
    assert {label_id("sand"), label_id("rock")} & classes
    pts = cam.backproject(np.where(hit, gt.depth, 0.0))[hit]
    tris, owner = scene_triangles_with_ids(scene, seen)
    tol = 0.01 + 0.001 * gt.depth[hit]
    dist, tri = refine_misses(pts, tris, *nearest_triangle(pts, tris), tol)
    assert np.mean(dist <= tol) >= 0.99, f"median distance {np.median(dist):.4g} m"
    assert np.mean(owner[tri] == gt.instance[hit]) >= 0.99
    murk = [o for o in scene.objects if o.generator == "weather.murk"]
    assert len(murk) == 1 and not murk[0].in_ground_truth
    clear = replace(scene, objects=[o for o in scene.objects if o.generator != "weather.murk"])
    with CyclesRenderer(clear, RenderSettings(width=SIZE[0], height=SIZE[1], samples=1, denoise=False,
                                              adaptive_min_samples=0), seed=0) as r:
        gt2 = r.render_gt(cam)
    assert np.array_equal(gt.instance, gt2.instance) and np.array_equal(gt.depth, gt2.depth)


@pytest.mark.blender
def test_same_seed_same_scene(frame):
    c, _, _ = frame
    again = _compose(0)
    a, b = c.scene, again.scene
    assert [o.name for o in a.objects] == [o.name for o in b.objects]
    for oa, ob in zip(a.objects, b.objects):
        ga, gb = oa.geometry, ob.geometry
        if oa.is_instanced:
            assert ga.transforms.tobytes() == gb.transforms.tobytes(), oa.name
        else:
            assert ga.vertices.tobytes() == gb.vertices.tobytes(), oa.name
    assert np.array_equal(c.rig.main.cam_to_world, again.rig.main.cam_to_world)
    kelp = [o for o in a.objects if o.semantic == "kelp"]
    assert kelp and all(not o.is_instanced for o in kelp), "each plant its own deforming mesh"


@pytest.mark.blender
@pytest.mark.slow
def test_kelp_flow_is_the_projection_of_its_vertex_motion():
    """A short shot: at sampled kelp pixels of the middle frame the pipeline's forward flow equals the
    projection at t+1 of the hit point's barycentric point on the plant's mesh (closest triangle at t, by
    brute force here); the rendered depth lies on the mesh posed for its own time (the renderer deforms)."""
    from wildsynth.camera.shot import ShotOptions
    from wildsynth.core.motion import MotionSet
    from wildsynth.core.surface import closest_barycentric
    from wildsynth.gt.boxes import Boxes3D
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run.products import View, derive_view

    size = (120, 72)
    c = _compose(0, size, ShotOptions(frames=1, fps=2.0, flow=True), creatures={"density": 0}, murk={"density": 0},
                 kelp={"fronds": 2, "blades_per_metre": 1.0, "prototypes": 2, "current": {"amplitude": 0.2}})
    scene, shot = c.scene, c.shot
    motions = MotionSet(list(scene.motions))
    sway = [m for m in scene.motions if type(m).__name__ == "CurrentSway"][0]
    times = [float(t) for t in shot.times]
    views = {}
    with CyclesRenderer(scene, RenderSettings(width=size[0], height=size[1], samples=1, denoise=False,
                                              adaptive_min_samples=0), seed=0) as r:
        for k, t in enumerate(times):
            r.set_time(motions, t)
            cam = shot.rigs[k].main
            views[k] = {"main": View(cam, r.render_gt(cam))}
    k = shot.frames[0]
    p = derive_view("main", views[k], views[k - 1], views[k + 1], tuple(times[k - 1:k + 2]), motions, scene.n_ids,
                    scene.id_to_class(), Boxes3D(scene), None)
    ta, tb = times[k], times[k + 1]
    va, vb = sway.vertices(ta), sway.vertices(tb)
    rng = np.random.default_rng(0)
    inst, depth, cam_a, cam_b = p.passes.instance, p.passes.depth, p.camera, views[k + 1]["main"].camera
    pts = cam_a.backproject(np.where(np.isfinite(depth), depth, 1.0))
    checked, moved_px = 0, []
    for j, i in enumerate(sway.ids):
        rows, cols = np.nonzero(inst == i)
        if len(rows) < 3:
            continue
        pick = rng.choice(len(rows), min(12, len(rows)), replace=False)
        fc = sway.faces[j]
        tri = va[j][fc]
        for r_, c_ in zip(rows[pick], cols[pick]):
            q = pts[r_, c_]
            bary = closest_barycentric(np.repeat(q[None], len(fc), 0), tri[:, 0], tri[:, 1], tri[:, 2])
            d = np.linalg.norm(np.einsum("nk,nkd->nd", bary, tri) - q, axis=1)
            m = int(d.argmin())
            assert d[m] < 0.01, "the rendered depth lies on the plant posed for this time"
            uv, _ = cam_b.project((bary[m] @ vb[j][fc[m]])[None])
            expect = uv[0] - np.array([c_ + 0.5, r_ + 0.5])
            assert np.abs(p.fwd.flow[r_, c_] - expect).max() < 0.02, (p.fwd.flow[r_, c_], expect)
            moved_px.append(np.abs(expect).max())
            checked += 1
    assert checked >= 20, checked
    assert np.median(moved_px) > 0.05, "the kelp moves between the frames (static camera)"
