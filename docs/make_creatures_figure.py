"""Render docs/creatures/creatures.png (every registered creature kind, two moments of its motion)
and docs/creatures/herd.png (a herd walking past two rocks, three moments).

    nice python docs/make_creatures_figure.py [--tile 160] [--samples 16] [--only sheet|herd]

Sheet: each kind (seed 0 parameters, ``CreatureKind.sample``) stands, flies or swims over a flat
ground patch, lit from the camera's side; the camera looks at it from the side and a little
above, at a distance of 2.7 bounding radii. Row 1 is the animation at t = 0, row 2 at 0.15 s later
(legs, wings, tails and bodies deform). Herd: a herd of 8 herbivores (``herd.plan_herd``, seed 0,
1 m/s) over gentle hills with two rocks in its way, seen from above at 0, 2.5 and 5 s. The skinned vertices are set per time by the renderer's ``set_time``, the same path
sequences use.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("creatures") / "creatures.png"
HERD = OUT.with_name("herd.png")
TIMES = (0.0, 0.15)


def flat(x, y):
    return np.zeros(np.broadcast(np.asarray(x), np.asarray(y)).shape)


def ground_patch(extent: float):
    from wildsynth.core.mesh import Mesh

    n = 41
    t = np.linspace(-extent / 2, extent / 2, n)
    x, y = np.meshgrid(t, t, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    f = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    return Mesh(v, f)


def render_kind(name: str, tile: int, samples: int) -> list[np.ndarray]:
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera
    from wildsynth.core.mesh import Mesh
    from wildsynth.core.motion import MotionSet, Skinned, skin
    from wildsynth.core.scene import MaterialRef, Object, Scene, Sun
    from wildsynth.generators.creatures import CREATURES, Place
    from wildsynth.render.base import make_renderer
    from wildsynth.render.settings import RenderSettings

    kind = CREATURES[name]
    rng = np.random.default_rng(0)
    p = kind.sample(rng)
    r = kind.size(p)
    z = {"air": 1.2 * r, "water": 0.8 * r}.get(kind.habitat)
    rig = kind.make(p, np.random.default_rng(1), Place(np.zeros(2), 0.0, flat, z))
    scene = Scene(sun=Sun.from_angles(45.0, 300.0, strength=4.0))
    scene.add(Object("ground", ground_patch(max(12 * r, 8.0)), MaterialRef("dry_grass_ground", 1), "terrain", "docs"))
    mesh = rig.body.mesh
    obj = scene.add(Object(name, Mesh(skin(rig, 0.0), mesh.faces, dict(mesh.attributes)),
                           MaterialRef(kind.material, 2, (("palette", kind.palette),)), kind.semantic, "docs"))
    motions = MotionSet([Skinned([obj.instance_id], [rig])])
    renderer = make_renderer(scene, RenderSettings(width=tile, height=int(tile * 0.75), samples=samples,
                                                   denoise=samples > 1), seed=0)
    tiles = []
    with renderer:
        for t in TIMES:
            centre = rig.root(t)[:3, 3].copy()
            centre[2] = max(centre[2], 0.5 * r)
            eye = centre + 2.7 * r * np.array([0.35, -0.9, 0.45])
            cam = Camera.from_hfov(tile, int(tile * 0.75), 45.0, look_at(eye, centre))
            renderer.set_time(motions, t)
            tiles.append(renderer.render_rgb(cam).display)
    return tiles


def hills(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return 0.25 * np.sin(0.15 * x) + 0.2 * np.cos(0.2 * y)


def ground_mesh(fn, lo, hi, n=81):
    from wildsynth.core.mesh import Mesh

    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    x, y = np.meshgrid(xs, ys, indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), fn(x.ravel(), y.ravel())], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    f = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    return Mesh(v, f)


def render_herd(width: int, samples: int) -> np.ndarray:
    from wildsynth.camera.placement import Obstacles
    from wildsynth.core.axes import look_at
    from wildsynth.core.camera import Camera
    from wildsynth.core.mesh import Mesh
    from wildsynth.core.motion import MotionSet, Skinned, skin
    from wildsynth.core.scene import MaterialRef, Object, Scene, Sun
    from wildsynth.generators.creatures import CREATURES, Place
    from wildsynth.generators.creatures.herd import HerdParams, gait_for, plan_herd
    from wildsynth.generators.rocks import RockShape, make_rock
    from wildsynth.render.base import make_renderer
    from wildsynth.render.settings import RenderSettings

    h = int(width * 9 / 16)
    times = [0.0, 2.5, 5.0]
    eye = np.array([-1.0, -13.0, 7.0])
    cam = Camera.from_hfov(width, h, 60.0, look_at(eye, np.array([0.0, 1.5, 0.0])))
    rocks = np.array([[1.5, 1.0, 0.5], [4.5, 3.5, 0.5]])
    obstacles = Obstacles(rocks, np.array([1.0, 0.8]))
    scene = Scene(sun=Sun.from_angles(40.0, 290.0, strength=4.0))
    scene.add(Object("ground", ground_mesh(hills, (-40, -25), (40, 45)), MaterialRef("dry_grass_ground", 1),
                     "terrain", "docs"))
    for k, (c, r) in enumerate(zip(rocks, obstacles.radii)):
        mesh = make_rock(RockShape(size=r, detail=3), np.random.default_rng(k))
        m = np.eye(4)
        m[:3, 3] = [c[0], c[1], float(hills(c[0], c[1])) - 0.1 * r]
        scene.add(Object(f"rock{k}", mesh.transformed(m), MaterialRef("rock", k), "rock", "docs"))
    kind, speed, n = CREATURES["herbivore"], 1.0, 8
    prms = []
    for k in range(n):
        p = kind.sample(np.random.default_rng(10 + k))
        prms.append(p.model_copy(update={"gait": gait_for(speed, p.hip_height), "speed": speed, "turn_deg": 0.0}))
    binds = [kind.make(p, np.random.default_rng(k), Place(np.zeros(2), 0.0, hills, 0.0)).body.mesh.vertices
             for k, p in enumerate(prms)]
    length = max(float(np.ptp(b[:, 0])) for b in binds)
    tracks = plan_herd(n, np.array([-6.5, 1.5]), 0.15, speed, -1.0, 7.0, np.random.default_rng(0), HerdParams(),
                       length, hills, obstacles, [p.body_length for p in prms])
    rigs, ids = [], []
    for k, (p, tr) in enumerate(zip(prms, tracks)):
        rig = kind.make(p, np.random.default_rng(k), Place(tr.xy(0.0)[0], 0.0, hills, None, 0.0, None, tr))
        mesh = rig.body.mesh
        obj = scene.add(Object(f"herbivore{k}", Mesh(skin(rig, 0.0), mesh.faces, dict(mesh.attributes)),
                               MaterialRef(kind.material, 20 + k, (("palette", kind.palette),)), kind.semantic,
                               "docs"))
        rigs.append(rig)
        ids.append(obj.instance_id)
    motions = MotionSet([Skinned(ids, rigs)])
    renderer = make_renderer(scene, RenderSettings(width=width, height=h, samples=samples, denoise=samples > 1),
                             seed=0)
    tiles = []
    with renderer:
        for t in times:
            renderer.set_time(motions, t)
            tiles.append(renderer.render_rgb(cam).display)
    return np.concatenate(tiles, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile", type=int, default=160)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--only", choices=["sheet", "herd"], default=None)
    args = ap.parse_args()
    from wildsynth.generators.creatures import CREATURES
    from wildsynth.io.png import write_png

    OUT.parent.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "sheet"):
        cols = [render_kind(n, args.tile, args.samples) for n in sorted(CREATURES)]
        sheet = np.concatenate([np.concatenate([c[k] for c in cols], 1) for k in range(len(TIMES))], 0)
        write_png(OUT, sheet)
        print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB): columns {', '.join(sorted(CREATURES))}")
    if args.only in (None, "herd"):
        write_png(HERD, render_herd(2 * args.tile, args.samples))
        print(f"wrote {HERD} ({HERD.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
