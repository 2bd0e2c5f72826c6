"""Seagrass and seaweed sway in the current (``sea_motion.BedSway`` through ``sea_scene.place_life``): the law is
``CurrentSway``'s scaled per plant, every plant moves non-rigidly with its base fixed and its tips moving most,
ids and classes are those the still ``Instances`` gave, the time-0 pose only leans the rest pose, determinism per
seed, and (Blender) the forward flow at seagrass and seaweed pixels is the projection of their vertex motion."""

import numpy as np
import pytest

from wildsynth.core import SeedTree, label_id
from wildsynth.generators.sea_motion import BedSway, BedSwayParams, CurrentParams, CurrentSway
from wildsynth.params import UserError, apply_overrides
from wildsynth.scenes import get
from wildsynth.scenes.coral_reef import CoralReefParams

SIZE = (96, 64)
# a small bed of seagrass on the sand and seaweed on the reef, plants scaled up, seen from close above
MEADOW = {"life": {"tiny": True, "reef_mix": {"seaweed": 1.0}, "sand_mix": {"seagrass": 1.0}, "reef_density": 3.0,
                   "sand_density": 3.0, "scale_min": 2.5, "scale_max": 3.5, "radius": 8.0, "prototypes": 1},
          "camera": {"height_min": 1.2, "height_max": 1.5, "pitch_min": -45.0, "pitch_max": -35.0, "area_radius": 3.0,
                     "min_distance": 0.3},
          "creatures": {"density": 0}, "murk": {"density": 0}, "rocks": {"count": 0}}


def _compose(seed=0, options=None, size=SIZE, scene="coral_reef", **over):
    from wildsynth.run import compose

    recipe = get(scene)
    params = {**MEADOW, **over} if scene == "coral_reef" else over
    return compose(recipe, recipe.params.model_validate(params), SeedTree(seed), *size, options)


def _bed_sway(scene) -> BedSway:
    got = [m for m in scene.motions if isinstance(m, BedSway)]
    assert len(got) == 1, "one motion for the whole bed"
    return got[0]


def _plants(n=3, seed=0):
    rng = np.random.default_rng(seed)
    rest, faces, base, height = [], [], [], []
    for k in range(n):
        h = rng.uniform(0.3, 0.8)
        z = np.linspace(0.0, h, 30)
        b = np.array([rng.uniform(-5, 5), rng.uniform(-5, 5), -10.0])
        v = np.stack([0.02 * np.sin(7 * z), 0.01 * z, z], -1) + b
        rest.append(v)
        faces.append(np.stack([np.arange(28), np.arange(1, 29), np.arange(2, 30)], -1))
        base.append(b)
        height.append(h)
    return rest, faces, np.array(base), np.array(height), rng.uniform(0, 2 * np.pi, (n, 2))


def test_bed_sway_is_the_current_sways_law_scaled_per_plant():
    rest, faces, base, height, phase = _plants()
    p = CurrentParams(lean=0.3, amplitude=0.1, heading=0.0)
    one = BedSway([1, 2, 3], rest, faces, base, height, phase, [1.0, 1.0, 1.0], p, 0.4, ceiling=-0.3, samples=16)
    for t in (0.0, 1.3, 5.0):
        got = one.vertices(t)
        for k in range(3):
            alone = CurrentSway([k + 1], [rest[k]], [faces[k]], base[k:k + 1], height[k:k + 1], phase[k:k + 1], p,
                                0.4, ceiling=-0.3, samples=16).vertices(t)[0]
            assert np.abs(got[k] - alone).max() < 1e-9, "the vectorised pose is the per-plant one"
    flex = BedSway([1, 2, 3], rest, faces, base, height, phase, [1.0, 2.0, 0.0], p, 0.4, ceiling=-0.3)
    d = [np.linalg.norm(flex.vertices(2.0)[k][-1, :2] - rest[k][-1, :2]) for k in range(3)]
    d1 = np.linalg.norm(one.vertices(2.0)[1][-1, :2] - rest[1][-1, :2])
    assert d[2] == 0.0 and abs(d[1] - 2.0 * d1) < 1e-9, "flexibility scales the bend (0: still)"
    with pytest.raises(ValueError, match="height"):
        BedSway([1], rest[:1], faces[:1], base[:1], [0.0], phase[:1], [1.0], p, 0.4, ceiling=0.0)


def test_sway_parameters_and_one_line_errors():
    p = apply_overrides(CoralReefParams, ["current.amplitude=0.1", "current.heading=90",
                                          'life.sway.kinds={"seagrass": 2}'], what="coral_reef")
    assert (p.current.amplitude, p.current.heading, p.life.sway.kinds) == (0.1, 90.0, {"seagrass": 2.0})
    assert set(BedSwayParams().kinds) == {"seagrass", "seaweed"}
    for bad, field in (['life.sway.kinds={"not_a_plant": 1}'], "not_a_plant"), (['life.sway.kinds={"seagrass": 9}'],
                                                                                 "flexibility"):
        with pytest.raises(UserError) as e:
            apply_overrides(CoralReefParams, bad, what="coral_reef")
        assert field in str(e.value) and "\n" not in str(e.value)
    kelp = apply_overrides(get("kelp_forest").params, ["life.sway.view_margin=10"], what="kelp_forest")
    assert kelp.life.sway.view_margin == 10.0


@pytest.fixture(scope="module")
def meadow():
    return _compose(0)


def test_plants_bend_non_rigidly_base_fixed_tips_most(meadow):
    scene = meadow.scene
    sway = _bed_sway(scene)
    classes = {o.semantic for o in scene.objects if not o.is_instanced and o.instance_id in set(sway.ids.tolist())}
    assert classes == {"seagrass", "seaweed"}
    assert len(sway.ids) >= 50
    a, b = sway.vertices(0.0), sway.vertices(0.5)
    moved, rigid_res = 0, []
    for k in range(len(sway.ids)):
        h = sway.rest[k][:, 2] - sway.base[k, 2]
        d = np.linalg.norm(b[k] - a[k], axis=1)
        low, top = h < 0.03 * sway.height[k], h > 0.8 * sway.height[k]
        assert d[low].max(initial=0.0) < 2e-3 * sway.height[k], "the base stays"
        if top.any() and d.max() > 1e-4:
            assert d[top].mean() > 5.0 * d[h < 0.3 * sway.height[k]].mean(), "the tips move most"
            moved += 1
        ca, cb = a[k] - a[k].mean(0), b[k] - b[k].mean(0)
        u, _, vt = np.linalg.svd(ca.T @ cb)
        r = (u @ vt).T
        rigid_res.append(np.abs(ca @ r.T - cb).max() / sway.height[k])
    assert moved >= 0.9 * len(sway.ids)
    assert np.median(rigid_res) > 1e-3, "not a rigid motion"
    lean = np.array([((v[:, :2] - r[:, :2]) @ sway.along).max() for v, r in zip(a, sway.rest)])
    assert np.mean(lean > 0.0) > 0.95, "leaning downstream"


def test_ids_classes_and_rest_pose_are_those_of_the_still_instances(meadow):
    moving = meadow.scene
    still = _compose(0, life={**MEADOW["life"], "sway": {"kinds": {}}}).scene
    assert not [m for m in still.motions if isinstance(m, BedSway)]
    assert moving.n_ids == still.n_ids
    assert np.array_equal(moving.id_to_class(), still.id_to_class())
    rows_a = {r["id"]: (r["name"], r["class"]) for r in moving.object_table()}
    rows_b = {r["id"]: (r["name"], r["class"]) for r in still.object_table()}
    assert rows_a == rows_b, "every placement keeps its id, name and class"
    sway = _bed_sway(moving)
    where = {}
    for o in still.objects:
        if o.is_instanced and o.semantic in ("seagrass", "seaweed"):
            for i, tr in zip(o.geometry.ids.tolist(), o.geometry.transforms):
                where[i] = (o.geometry.mesh, tr)
    for k, i in enumerate(sway.ids.tolist()):
        m, tr = where[i]
        expect = np.asarray(m.vertices, np.float64) @ tr[:3, :3].T + tr[:3, 3]
        assert np.abs(sway.rest[k] - expect).max() < 1e-5, "the rest pose is the instance's"
    obj = {o.instance_id: o for o in moving.objects if not o.is_instanced}
    t0 = float(meadow.shot.times[0])
    for k, i in enumerate(sway.ids.tolist()[:20]):
        assert np.array_equal(obj[i].geometry.vertices, sway.vertices(t0)[k].astype(np.float32)), "the still draws the time-0 pose"


def test_same_seed_same_sway_other_seed_other(meadow):
    a = _bed_sway(meadow.scene)
    b = _bed_sway(_compose(0).scene)
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.phase, b.phase)
    for va, vb in zip(a.vertices(1.7), b.vertices(1.7)):
        assert va.tobytes() == vb.tobytes()
    c = _bed_sway(_compose(1).scene)
    assert c.phase.shape != a.phase.shape or not np.allclose(c.phase, a.phase)
    assert CoralReefParams().current.heading is None, "the reef's heading is drawn"
    assert abs(float(np.arctan2(*a.along[::-1])) - float(np.arctan2(*c.along[::-1]))) > 1e-6, "per seed"


def test_kelp_forest_bed_plants_sway_in_the_kelps_current():
    from wildsynth.scenes.kelp_forest import KelpForestParams

    c = _compose(0, scene="kelp_forest", kelp={"tiny": True, "fronds": 1, "prototypes": 1, "radius": 10.0},
                 life={"tiny": True, "radius": 12.0, "prototypes": 1}, creatures={"density": 0}, rocks={"count": 5})
    sway = _bed_sway(c.scene)
    kelp = [m for m in c.scene.motions if type(m).__name__ == "CurrentSway"][0]
    assert np.allclose(sway.along, kelp.along) and sway.p == kelp.p, "the kelp's current and heading"
    assert set(np.unique(sway.flex).tolist()) <= set(KelpForestParams().life.sway.kinds.values())
    assert c.report["kelp_forest"]["life_swaying"] == len(sway.ids) > 0
    # plants left still are out of every camera's view (more than view_margin beyond it, over 8 m away)
    cam = c.shot.reference()
    for o in c.scene.objects:
        if o.is_instanced and o.semantic in ("seagrass", "seaweed"):
            _, z = cam.project(o.geometry.transforms[:, :3, 3])
            uv, _ = cam.project(o.geometry.transforms[:, :3, 3])
            seen = (z > 0) & (uv[:, 0] >= 0) & (uv[:, 0] < SIZE[0]) & (uv[:, 1] >= 0) & (uv[:, 1] < SIZE[1])
            assert not seen.any(), o.name


@pytest.mark.blender
def test_flow_at_plant_pixels_is_the_projection_of_their_vertex_motion():
    """Two frames 0.5 s apart: at sampled seagrass and seaweed pixels of the first the pipeline's forward flow
    equals the projection at t+1 of the hit point's barycentric point on the plant's mesh (closest triangle at
    t, brute force), and the rendered depth lies on the plant posed for its time (the renderer deforms)."""
    from wildsynth.camera.shot import ShotOptions
    from wildsynth.core.motion import MotionSet
    from wildsynth.core.surface import closest_barycentric
    from wildsynth.gt.boxes import Boxes3D
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run.products import View, derive_view

    c = _compose(0, ShotOptions(frames=1, fps=2.0, flow=True), current={"amplitude": 0.3})
    scene, shot = c.scene, c.shot
    motions = MotionSet(list(scene.motions))
    sway = _bed_sway(scene)
    times = [float(t) for t in shot.times]
    views = {}
    with CyclesRenderer(scene, RenderSettings(width=SIZE[0], height=SIZE[1], samples=1, denoise=False,
                                              adaptive_min_samples=0), seed=0) as r:
        for k, t in enumerate(times):
            r.set_time(motions, t)
            cam = shot.rigs[k].main
            views[k] = {"main": View(cam, r.render_gt(cam))}
    k = shot.frames[0]
    p = derive_view("main", views[k], views[k - 1], views[k + 1], tuple(times[k - 1:k + 2]), motions, scene.n_ids,
                    scene.id_to_class(), Boxes3D(scene), None)
    va, vb = sway.vertices(times[k]), sway.vertices(times[k + 1])
    rng = np.random.default_rng(0)
    inst, depth, cam_a, cam_b = p.passes.instance, p.passes.depth, p.camera, views[k + 1]["main"].camera
    lut = scene.id_to_class()
    assert np.isin(lut[inst], [label_id("seagrass"), label_id("seaweed")]).sum() >= 50
    pts = cam_a.backproject(np.where(np.isfinite(depth), depth, 1.0))
    checked, moved_px = 0, []
    for j, i in enumerate(sway.ids):
        rows, cols = np.nonzero(inst == i)
        if not len(rows):
            continue
        pick = rng.choice(len(rows), min(4, len(rows)), replace=False)
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
    assert checked >= 30, checked
    assert np.median(moved_px) > 0.05, "the plants move between the frames (static camera)"
    still = ~np.isin(inst, sway.ids) & (inst > 0) & ~np.isin(inst, motions.ids)
    assert np.abs(p.fwd.flow[still]).max() < 1e-3, "the bed does not move"
