"""Animal skin, hide, plumage and scale colours (no fur): ``creature_skin`` with a ``palette`` param.

Patterns are noise at the body's bind-pose position (the ``rest`` vertex attribute that
``generators/creatures`` writes, so spots and patches stay on a deforming body; a mesh without
``skinned`` = 1 falls back to object coordinates): a large patch tint, mid-scale blotches or
spots (voronoi) per palette, and counter-shading from the ``dorsal`` attribute (+1 back, -1
belly: backs darker, bellies paler, as in most animals). ``region`` 1 (fins, wings, ears) is
darker or more contrasted, 2 (hooves, horns, beaks) a keratin colour.

Palettes (linear luminance of the back, belly; albedo of hair and feathers 0.05-0.4; deer and
antelope coats about 0.1-0.2, wolves and big cats 0.1-0.18):
herbivore (browns, tan, grey), carnivore (tawny, grey), bird (browns, greys, near-black),
fish (silvery blue-green back, white belly, glossier), snake (olive, brown, blotched), jellyfish
(pale pink, blue or amber, glossy; opaque, no transmission), crab (red, brown, sand), insect
(metallic blue, green or amber, glossy).
"""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .layers import jitter_tone
from .library import recipe

PALETTES: dict[str, dict] = {
    "herbivore": {"back": [(0.14, (1.0, 0.62, 0.38)), (0.18, (1.0, 0.75, 0.52)), (0.1, (1.0, 0.9, 0.8))],
                  "belly": (0.35, (1.0, 0.93, 0.85)), "spots": 0.3, "rough": (0.7, 0.9)},
    "carnivore": {"back": [(0.16, (1.0, 0.7, 0.4)), (0.13, (1.0, 0.95, 0.9)), (0.08, (1.0, 0.8, 0.65))],
                  "belly": (0.3, (1.0, 0.95, 0.88)), "spots": 0.5, "rough": (0.65, 0.9)},
    "bird": {"back": [(0.08, (1.0, 0.75, 0.5)), (0.12, (1.0, 1.0, 1.0)), (0.03, (1.0, 1.0, 1.05))],
             "belly": (0.4, (1.0, 0.97, 0.92)), "spots": 0.2, "rough": (0.5, 0.8)},
    "fish": {"back": [(0.08, (0.55, 0.85, 1.0)), (0.1, (0.75, 1.0, 0.8)), (0.12, (0.9, 0.95, 1.0))],
             "belly": (0.55, (1.0, 1.0, 1.0)), "spots": 0.25, "rough": (0.25, 0.45)},
    "snake": {"back": [(0.07, (0.8, 0.9, 0.45)), (0.08, (1.0, 0.7, 0.4)), (0.05, (1.0, 0.85, 0.6))],
              "belly": (0.25, (1.0, 0.95, 0.75)), "spots": 0.7, "rough": (0.4, 0.65)},
    "jellyfish": {"back": [(0.45, (1.0, 0.8, 0.85)), (0.4, (0.8, 0.9, 1.0)), (0.35, (1.0, 0.75, 0.55))],
                  "belly": (0.55, (1.0, 0.95, 0.95)), "spots": 0.15, "rough": (0.1, 0.3)},
    "crab": {"back": [(0.1, (1.0, 0.45, 0.3)), (0.08, (0.8, 0.75, 0.6)), (0.12, (1.0, 0.6, 0.35))],
             "belly": (0.35, (1.0, 0.9, 0.8)), "spots": 0.4, "rough": (0.35, 0.6)},
    "insect": {"back": [(0.08, (0.4, 0.8, 1.0)), (0.07, (0.6, 1.0, 0.5)), (0.1, (1.0, 0.6, 0.3))],
               "belly": (0.2, (1.0, 0.95, 0.7)), "spots": 0.3, "rough": (0.2, 0.4)},
}
KERATIN = [(0.05, (1.0, 0.95, 0.9)), (0.3, (1.0, 0.8, 0.35))]  # hoof/horn grey, beak yellow


@recipe("creature_skin")
def creature_skin(rng: np.random.Generator, params: dict) -> Graph:
    """Animal hide, plumage or scales of a ``palette`` (herbivore, carnivore, bird, fish, snake, ...):
    noise patches and spots on the bind pose, counter-shaded back to belly."""
    name = params.get("palette", "herbivore")
    if name not in PALETTES:
        raise ValueError(f"creature_skin: unknown palette {name!r}; known: {', '.join(PALETTES)}")
    pal = PALETTES[name]
    g = Graph(f"creature_skin_{name}")
    skinned = g.attribute("skinned")["Fac"]
    p = g.node("ShaderNodeMix", {"Factor": skinned, "A": g.coords("Object"), "B": g.attribute("rest")["Vector"]},
               data_type="VECTOR")["Result"]
    y, hue = pal["back"][int(rng.integers(len(pal["back"])))]
    back_dark, back_light = jitter_tone(rng, 0.7 * y, hue), jitter_tone(rng, 1.25 * y, hue)
    patch = g.noise(p, scale=rng.uniform(2.0, 5.0), detail=1.0, roughness=0.5)["Fac"]
    col = g.ramp(patch, [(0.35, back_dark), (0.65, back_light)])
    spots = pal["spots"] * rng.uniform(0.3, 1.0)
    if spots > 0:
        cells = g.voronoi(p, scale=rng.uniform(12.0, 30.0), feature="F1")["Distance"]
        mark = g.map_range(cells, 0.18 + 0.2 * spots, 0.1 + 0.2 * spots, 0.0, min(0.85, spots + 0.2))
        col = g.mix(mark, col, jitter_tone(rng, 0.4 * y, hue))
    by, bhue = pal["belly"]
    belly = g.map_range(g.attribute("dorsal")["Fac"], 0.1, -0.6, 0.0, rng.uniform(0.6, 0.9))
    col = g.mix(belly, col, jitter_tone(rng, by * rng.uniform(0.8, 1.1), bhue))
    region = g.attribute("region")["Fac"]
    col = g.mix(g.map_range(region, 0.5, 1.0, 0.0, 0.35), col, jitter_tone(rng, 0.5 * y, hue))
    ky, khue = KERATIN[1] if name == "bird" else KERATIN[0]
    col = g.mix(g.map_range(region, 1.5, 2.0), col, jitter_tone(rng, ky, khue))
    fine = g.noise(p, scale=rng.uniform(150.0, 250.0), detail=0.0)["Fac"]
    rough = g.map_range(fine, 0.3, 0.7, *pal["rough"])
    g.surface(g.principled(base_color=col, roughness=rough, normal=g.bump(fine, strength=0.15, distance=0.005)))
    return g
