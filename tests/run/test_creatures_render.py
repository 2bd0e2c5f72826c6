"""Tiny rendered walks with deforming creatures: their flow warps, cycles, lands on the rendered surface of
the next frame, and agrees with point tracks; every registered kind renders and deforms in Blender."""

import numpy as np
import pytest

from wildsynth.core.camera import Camera
from wildsynth.core.labels import label_id
from wildsynth.gt.flow import pixel_grid, warp_backward
from wildsynth.gt.tracks import chain_flow, smooth_footprint
from wildsynth.gt.validate import photometric_error

pytestmark = pytest.mark.blender

W, H, FRAMES = 96, 64, 4


def hills(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return 0.2 * np.sin(0.35 * x) + 0.15 * np.cos(0.25 * y) + 0.02 * y


def ground_mesh(extent=44.0, step=0.25):
    from wildsynth.core.mesh import Mesh

    t = np.arange(-extent / 2, extent / 2 + 1e-9, step)
    n = len(t)
    x, y = np.meshgrid(t, t + extent / 2 - 4.0, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), hills(x, y).ravel()], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    return Mesh(v, np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)]))


@pytest.fixture(scope="module")
def seq():
    """A walk past four animals on hilly ground, rendered and derived by the pipeline's own functions
    (``set_time``, ``render_gt``/``render_rgb``, ``run.products.derive_view``, ``TrackBuilder``)."""
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import CameraRig
    from wildsynth.core.motion import MotionSet
    from wildsynth.core.scene import MaterialRef, Object, Scene
    from wildsynth.core.seeds import SeedTree
    from wildsynth.core.shot import Shot
    from wildsynth.generators.creatures.placement import CreatureParams, place_creatures
    from wildsynth.gt.boxes import Boxes3D
    from wildsynth.gt.tracks import TrackBuilder
    from wildsynth.render.base import make_renderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run.products import View, derive_view

    scene = Scene()
    scene.add(Object("ground", ground_mesh(), MaterialRef("dry_grass_ground", 1), "terrain", "test"))
    times = [(k - 1) / 8 for k in range(FRAMES + 2)]
    rigs = []
    for t in times:
        eye = np.array([0.0, 0.5 * t, hills(0.0, 0.5 * t) + 1.6])
        rigs.append(CameraRig.mono(Camera.from_hfov(W, H, 70.0, look_at(eye, eye + np.array([0.1, 1.0, -0.18])))))
    shot = Shot(times, rigs, list(range(1, FRAMES + 1)))
    plan = place_creatures(scene, {"herbivore": 3, "carnivore": 1}, CreatureParams(near=3.5, far=8.0), shot, hills,
                           hills, None, SeedTree(0).child("creatures"))
    motions = MotionSet([plan.motion])
    id_to_class = scene.id_to_class()
    boxes = Boxes3D(scene)
    renderer = make_renderer(scene, RenderSettings(width=W, height=H, samples=8), seed=0)
    views, out = {}, []
    tracks = TrackBuilder(motions)
    with renderer:
        for k, t in enumerate(times):
            renderer.set_time(motions, t)
            cam = rigs[k].main
            views[k] = {"main": View(cam, renderer.render_gt(cam), renderer.render_rgb(cam) if k in shot.frames
                                     else None)}
    for i, k in enumerate(shot.frames):
        p = derive_view("main", views[k], views[k - 1], views[k + 1], (times[k - 1], times[k], times[k + 1]),
                        motions, scene.n_ids, id_to_class, boxes, None)
        if i == 0:
            tracks.start(p.passes.depth, p.passes.instance, p.camera, times[k], 600, np.random.default_rng(0))
        tracks.add(i, p.passes.depth, p.camera, times[k])
        out.append({"cam": p.camera, "img": p.rgb.linear, "depth": p.passes.depth, "inst": p.passes.instance,
                    "fwd": p.fwd.flow, "fv": p.fwd.valid, "bwd": p.bwd.flow, "bv": p.bwd.valid,
                    "boxes": {b["id"]: b for b in p.boxes_3d}})
    return {"views": out, "scene": scene, "plan": plan, "tracks": tracks.result(), "motions": motions,
            "times": [times[k] for k in shot.frames]}


def view(seq, f):
    return seq["views"][f]


def creature_ids(seq):
    return np.asarray(seq["plan"].motion.ids)


def interior(inst, ids):
    m = np.isin(inst, ids)
    p = np.pad(inst, 1, mode="edge")
    return m & (p[:-2, 1:-1] == inst) & (p[2:, 1:-1] == inst) & (p[1:-1, :-2] == inst) & (p[1:-1, 2:] == inst)


def test_each_creature_is_one_object_with_its_class_and_in_view(seq):
    scene, plan = seq["scene"], seq["plan"]
    assert sorted(plan.kinds) == ["carnivore", "herbivore", "herbivore", "herbivore"]
    rows = [o for o in scene.object_table() if o["generator"].startswith("creatures.")]
    assert sorted(o["id"] for o in rows) == sorted(creature_ids(seq).tolist())
    for o in rows:
        assert o["class"] == o["params"]["kind"] and o["class_id"] == label_id(o["class"])
    seen = [i for i in creature_ids(seq) if (view(seq, 0)["inst"] == i).sum() >= 15]
    assert len(seen) >= 3, "they stand in view"


def test_3d_boxes_fit_each_deformed_creature_of_each_frame(seq):
    ids = creature_ids(seq)
    checked = 0
    for f in range(FRAMES):
        v = view(seq, f)
        pts = v["cam"].backproject(np.where(np.isfinite(v["depth"]), v["depth"], 1.0))
        for i in ids:
            m = v["inst"] == i
            if m.sum() < 10:
                continue
            b = v["boxes"][int(i)]
            assert b["class_id"] in (label_id("herbivore"), label_id("carnivore"))
            local = (pts[m] - b["centre"]) @ np.array(b["rotation"])
            half = np.array(b["size"]) / 2
            assert np.all(np.abs(local) <= half + 0.01)
            assert np.any(np.abs(local) > half - 0.15, axis=0).sum() >= 2, "tight: the pixels reach the box"
            checked += 1
    assert checked >= 6


def test_flow_is_the_projection_of_the_vertex_motion(seq):
    """At sampled creature pixels: the written flow equals the projection at t+1 of the hit point's
    barycentric point on the skinned mesh (closest triangle at t, found by brute force here)."""
    from wildsynth.core.surface import closest_barycentric

    m_all = seq["motions"].deforming[0]
    ids = creature_ids(seq)
    rng = np.random.default_rng(0)
    checked = 0
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        ta, tb = seq["times"][f], seq["times"][f + 1]
        va, vb = m_all.vertices(ta), m_all.vertices(tb)
        for k, i in enumerate(ids):
            rows, cols = np.nonzero(a["inst"] == i)
            if len(rows) < 5:
                continue
            pick = rng.choice(len(rows), min(20, len(rows)), replace=False)
            rows, cols = rows[pick], cols[pick]
            p = a["cam"].backproject(np.where(np.isfinite(a["depth"]), a["depth"], 1.0))[rows, cols]
            fc = m_all.faces[k]
            tri = va[k][fc]
            for q, r_, c_ in zip(p, rows, cols):
                bary = closest_barycentric(np.repeat(q[None], len(fc), 0), tri[:, 0], tri[:, 1], tri[:, 2])
                d = np.linalg.norm(np.einsum("nk,nkd->nd", bary, tri) - q, axis=1)
                j = int(d.argmin())
                assert d[j] < 0.01, "the rendered depth lies on the skinned mesh of its time"
                moved = bary[j] @ vb[k][fc[j]]
                uv, _ = b["cam"].project(moved[None])
                expect = uv[0] - np.array([c_ + 0.5, r_ + 0.5])
                assert np.abs(a["fwd"][r_, c_] - expect).max() < 0.02, (a["fwd"][r_, c_], expect)
                checked += 1
    assert checked >= 60


def test_flow_lands_the_deformed_surface_on_the_next_rendered_frame(seq):
    """Each creature pixel's point, moved by its triangle's vertex motion and projected (the flow),
    is where frame t+1 rendered that creature, at the depth it rendered there."""
    ids = creature_ids(seq)
    same, rel = [], []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        m = interior(a["inst"], ids) & a["fv"]
        rows, cols = np.nonzero(m)
        uv = np.stack([cols + 0.5, rows + 0.5], -1) + a["fwd"][m]
        j, k = np.floor(uv).astype(int).T
        same.append(b["inst"][k, j] == a["inst"][m])
        pts = a["cam"].backproject(np.where(np.isfinite(a["depth"]), a["depth"], 1.0))[m]
        # the depth change the flow implies equals what frame t+1 rendered (scene flow consistency)
        _, z_a = b["cam"].project(pts)
        d_b = b["depth"][k, j]
        ok = same[-1] & np.isfinite(d_b)
        rel.append(np.abs(d_b[ok] - (z_a[ok])) / d_b[ok])
    same = np.concatenate(same)
    assert same.size >= 100 and same.mean() > 0.9, (same.size, same.mean())
    rel = np.concatenate(rel)
    assert np.median(rel) < 0.05


def test_warping_the_next_frame_reproduces_creatures(seq):
    ids = creature_ids(seq)
    errs, zero = [], []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        e = photometric_error(a["img"], b["img"], a["fwd"], interior(a["inst"], ids) & a["fv"])
        if e["pixels"] >= 20:
            errs.append(e["flow"])
            zero.append(e["zero_flow"])
    assert len(errs) >= 2
    assert np.mean(errs) < 0.5 * np.mean(zero), (errs, zero)


def test_forward_backward_cycle_on_creatures(seq):
    ids = creature_ids(seq)
    err = []
    for f in range(FRAMES - 1):
        a, b = view(seq, f), view(seq, f + 1)
        back = warp_backward(b["bwd"], a["fwd"])
        seen = warp_backward(b["bv"].astype(np.float64), a["fwd"]) > 0.999
        uv = (np.stack(pixel_grid(W, H), -1) + a["fwd"]).reshape(-1, 2)
        clean = smooth_footprint(b["inst"], b["depth"], uv).reshape(H, W)
        m = a["fv"] & np.isin(a["inst"], ids) & seen & clean & np.isfinite(back).all(-1)
        err.append(np.linalg.norm(a["fwd"][m] + back[m], axis=-1))
    err = np.concatenate(err)
    assert err.size >= 100
    assert np.median(err) < 0.01 and np.percentile(err, 95) < 0.1, (np.median(err), np.percentile(err, 95))


def test_tracks_on_creatures_agree_with_chained_flow(seq):
    tr = seq["tracks"]
    a = {"trajs_2d": tr.trajs_2d, "visibs": tr.visibs, "instance_ids": tr.instance_ids}
    views = [view(seq, f) for f in range(FRAMES)]
    ids = creature_ids(seq)
    cols, rows = np.floor(a["trajs_2d"][0]).astype(int).T
    on = np.isin(a["instance_ids"], ids)
    assert on.sum() >= 30, "moving things get their share of the query points"
    step = a["trajs_2d"][1] - a["trajs_2d"][0]
    assert np.abs(step - views[0]["fwd"][rows, cols]).max() < 1e-3
    chained = chain_flow([v["fwd"] for v in views[:-1]], a["trajs_2d"][0].astype(np.float64))
    clean = np.ones(len(rows), bool)
    for k in range(1, FRAMES):
        clean &= smooth_footprint(views[k - 1]["inst"], views[k - 1]["depth"], chained[k - 1], 0.05)
        vis = a["visibs"][: k + 1].all(0) & clean & np.isfinite(chained[k]).all(1) & on
        err = np.linalg.norm(chained[k][vis] - a["trajs_2d"][k][vis], axis=1)
        assert vis.sum() >= 10
        assert np.median(err) < 0.02 and np.percentile(err, 90) < 0.15, (k, np.median(err), np.percentile(err, 90))


def test_every_registered_kind_renders_and_deforms_in_blender():
    """All kinds side by side (a 4 x 2 grid) in one tiny scene: each is seen in the ground-truth pass at two times,
    its pixels change between them, and the depth it renders lies on its skinned mesh of that time."""
    from wildsynth.core.axes import look_at
    from wildsynth.core.mesh import Mesh
    from wildsynth.core.motion import MotionSet, Skinned, skin
    from wildsynth.core.scene import MaterialRef, Object, Scene
    from wildsynth.core.surface import locate
    from wildsynth.generators.creatures import CREATURES, Place
    from wildsynth.render.base import make_renderer
    from wildsynth.render.settings import RenderSettings

    def flat(x, y):
        return np.zeros(np.broadcast(np.asarray(x), np.asarray(y)).shape)

    scene, rigs, ids = Scene(), [], []
    for k, name in enumerate(sorted(CREATURES)):
        kind = CREATURES[name]
        p = kind.sample(np.random.default_rng(k))
        r = kind.size(p)
        # each in its slot of a 4-wide grid (see Scaled), scaled into view by its size
        place = Place(np.array([3.0 * k, 0.0]), np.pi / 2, flat, {"air": 1.0, "water": 0.6}.get(kind.habitat))
        rig = kind.make(p, np.random.default_rng(k), place)
        mesh = rig.body.mesh
        v = skin(rig, 0.0)
        s = 1.2 / max(r, 1e-6)  # 1.2 m radius whatever the kind: all render at a comparable size
        base = rig.root(0.0)[:3, 3]
        obj = scene.add(Object(name, Mesh(v, mesh.faces, dict(mesh.attributes)), MaterialRef(kind.material, k),
                               kind.semantic, f"creatures.{name}"))
        rigs.append((rig, s, base))
        ids.append(obj.instance_id)

    class Scaled:
        """A rig seen through a fixed scaling about its start (so every kind fills its slot)."""

        def __init__(self, rig, s, base, k):
            self.rig, self.s, self.base, self.k = rig, s, base, k
            for a in ("faces", "bone_index", "bone_weight", "bind_inverse", "bind_vertices"):
                setattr(self, a, getattr(rig, a))

        def _m(self):
            m = np.eye(4)
            m[:3, :3] *= self.s
            m[:3, 3] = np.array([3.0 * (self.k % 4), 0.0, 1.2 + 3.0 * (self.k // 4)]) - self.s * self.base
            return m

        def bones(self, t):
            return self._m() @ self.rig.bones(min(t, 0.2))

        def root(self, t):
            return self._m() @ self.rig.root(min(t, 0.2))

    scaled = [Scaled(r, s, b, k) for k, (r, s, b) in enumerate(rigs)]
    motion = Skinned(ids, scaled)
    motions = MotionSet([motion])
    n = len(ids)
    centre = np.array([4.5, 0.0, 1.2 + 1.5 * ((n - 1) // 4)])
    cam = Camera.from_hfov(128, 72, 60.0, look_at(centre + np.array([0.0, -11.0, 2.5]), centre))
    renderer = make_renderer(scene, RenderSettings(width=128, height=72, samples=1, denoise=False), seed=0)
    got = {}
    with renderer:
        for t in (0.0, 0.2):
            renderer.set_time(motions, t)
            got[t] = renderer.render_gt(cam)
            renderer.render_rgb(cam)
    for k, i in enumerate(ids):
        m0, m1 = got[0.0].instance == i, got[0.2].instance == i
        assert m0.sum() >= 5 and m1.sum() >= 5, (k, m0.sum(), m1.sum())
        d0, d1 = got[0.0].depth, got[0.2].depth
        with np.errstate(invalid="ignore"):
            changed = (m0 != m1) | (np.abs(d0 - d1) > 1e-4)
        assert changed[m0 | m1].sum() >= 2, f"{sorted(CREATURES)[k]} does not move in the render"
        # the rendered depth of t = 0.2 lies on the skinned mesh of t = 0.2
        pts = cam.backproject(np.where(np.isfinite(got[0.2].depth), got[0.2].depth, 1.0))[m1]
        _, _, d = locate(pts, motion.vertices(0.2)[k], motion.faces[k])
        assert np.median(d) < 2e-3 and np.percentile(d, 90) < 0.01, (sorted(CREATURES)[k], np.median(d))
