"""The semantic label registry: one table, append-only, shared by every writer.

A class id never changes once released (datasets depend on it); add new
classes at the end. ``isthing`` follows COCO panoptic: countable objects are
things, amorphous regions (sky, ground, water) are stuff.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    id: int
    name: str
    isthing: bool
    supercategory: str
    color: tuple[int, int, int]


_TABLE = [
    # id, name, isthing, supercategory, preview colour
    (0, "sky", False, "sky", (120, 170, 230)),
    (1, "terrain", False, "ground", (140, 110, 70)),
    (2, "rock", True, "ground", (128, 128, 128)),
    (3, "sand", False, "ground", (220, 200, 140)),
    (4, "snow", False, "ground", (245, 245, 250)),
    (5, "ice", False, "ground", (180, 220, 240)),
    (6, "water", False, "water", (40, 90, 200)),
    (7, "cave_wall", False, "ground", (90, 70, 60)),
    (8, "tree", True, "plant", (40, 120, 40)),
    (9, "bush", True, "plant", (90, 160, 60)),
    (10, "grass", True, "plant", (120, 200, 80)),
    (11, "flower", True, "plant", (230, 90, 160)),
    (12, "fern", True, "plant", (60, 170, 110)),
    (13, "mushroom", True, "plant", (200, 150, 110)),
    (14, "cactus", True, "plant", (70, 150, 90)),
    (15, "log", True, "plant", (110, 80, 50)),
    (16, "weather_particle", True, "weather", (255, 255, 255)),
    (17, "litter", True, "plant", (150, 105, 60)),  # fallen leaves, needles, bark on the ground
    (18, "moss", True, "plant", (100, 140, 50)),  # moss and lichen patches
    (19, "mover", True, "object", (255, 140, 0)),  # rigid things flying through the view (generators/movers.py)
    # under water (generators/underwater/)
    (20, "coral", True, "sea_life", (255, 110, 90)),
    (21, "sponge", True, "sea_life", (240, 190, 60)),
    (22, "anemone", True, "sea_life", (250, 120, 200)),
    (23, "urchin", True, "sea_life", (80, 40, 90)),
    (24, "starfish", True, "sea_life", (255, 150, 40)),
    (25, "shell", True, "sea_life", (235, 220, 190)),
    (26, "kelp", True, "sea_plant", (120, 110, 30)),
    (27, "seagrass", True, "sea_plant", (90, 170, 70)),
    (28, "seaweed", True, "sea_plant", (150, 60, 60)),
    (29, "water_surface", False, "water", (100, 180, 255)),  # the water surface seen from below
    # creatures (generators/creatures/)
    (30, "herbivore", True, "animal", (200, 160, 100)),
    (31, "carnivore", True, "animal", (170, 80, 40)),
    (32, "bird", True, "animal", (90, 90, 200)),
    (33, "fish", True, "animal", (60, 200, 220)),
    (34, "snake", True, "animal", (120, 140, 40)),
    (35, "insect", True, "animal", (40, 40, 40)),
    (36, "jellyfish", True, "animal", (220, 180, 255)),
    (37, "crab", True, "animal", (230, 60, 40)),
]

LABELS: tuple[Label, ...] = tuple(Label(*row) for row in _TABLE)
_BY_NAME = {lab.name: lab for lab in LABELS}


def label(name: str) -> Label:
    """The label called ``name``; a clear error lists the known names otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown semantic class {name!r}; known: {', '.join(_BY_NAME)}") from None


def label_id(name: str) -> int:
    return label(name).id


def palette() -> "list[tuple[int, int, int]]":
    """Preview colours indexed by class id."""
    return [lab.color for lab in LABELS]
