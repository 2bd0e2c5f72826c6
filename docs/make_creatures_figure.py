"""Render docs/creatures/creatures.png: every registered creature kind, two moments of its motion.

    nice python docs/make_creatures_figure.py [--tile 112] [--samples 16]

Each kind (seed 0 parameters, ``CreatureKind.sample``) stands, flies or swims over a flat
ground patch; the camera looks at it from the side and a little above, at a distance of
3 bounding radii. Row 1 is the animation at t = 0, row 2 at a quarter of a gait cycle later
(0.15 s: legs, wings, tails and bodies deform). The skinned vertices are set per time by the
renderer's ``set_time``, the same path sequences use.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("creatures") / "creatures.png"
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
    scene = Scene(sun=Sun.from_angles(40.0, 120.0, strength=4.0))
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
            eye = centre + 3.0 * r * np.array([0.35, -0.9, 0.5])
            cam = Camera.from_hfov(tile, int(tile * 0.75), 50.0, look_at(eye, centre))
            renderer.set_time(motions, t)
            tiles.append(renderer.render_rgb(cam).display)
    return tiles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile", type=int, default=112)
    ap.add_argument("--samples", type=int, default=16)
    args = ap.parse_args()
    from wildsynth.generators.creatures import CREATURES
    from wildsynth.io.png import write_png

    cols = [render_kind(n, args.tile, args.samples) for n in sorted(CREATURES)]
    sheet = np.concatenate([np.concatenate([c[k] for c in cols], 1) for k in range(len(TIMES))], 0)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_png(OUT, sheet)
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB): columns {', '.join(sorted(CREATURES))}")


if __name__ == "__main__":
    main()
