"""Shared by the caption and evaluation tests: label images with given class shares, and run folders
as the pipeline writes them (scene.json, objects.json, views), made without rendering."""

from __future__ import annotations

import numpy as np

from wildsynth.core.labels import label_id

SCENE = {"scene": "plains", "seed": 7, "ground": "grassy",
         "params": {"season": "autumn", "weather": {"rain": 0.0, "snow": 0.0, "dust": 0.0, "leaves": 0.0, "fog": 0.3,
                                                    "in_ground_truth": True}, "sky": {"overcast": 0.0}},
         "sky": {"hour": 17.5, "sun_elevation_deg": 14.0, "clouds": 0.05}}


def semantic(parts: dict[str, float], shape=(100, 100)) -> np.ndarray:
    """A label image with each named class on the given share of pixels (the rest sky)."""
    sem = np.full(shape[0] * shape[1], label_id("sky"), np.uint8)
    start = 0
    for name, share in parts.items():
        n = int(round(share * sem.size))
        sem[start:start + n] = label_id(name)
        start += n
    return sem.reshape(shape)


def fake_run(root, scene=SCENE, views=(("main", 0),)):
    """A run folder as the pipeline writes it, without rendering: scene.json, objects.json and views."""
    from wildsynth.io import write_json, write_png

    root.mkdir(parents=True)
    write_json(root / "objects.json", {"objects": [{"id": 1, "class": "terrain",
                                                     "material": {"recipe": "meadow_ground", "params": {}}}]})
    flat = len(views) == 1
    for k, (cam, frame) in enumerate(views):
        d = root if flat else root / cam / f"{frame:06d}"
        d.mkdir(parents=True, exist_ok=True)
        write_png(d / "semantic.png", semantic({"grass": 0.3 + 0.1 * k, "terrain": 0.2, "tree": 0.05}))
        write_png(d / "image.png", np.full((100, 100, 3), 90 + k, np.uint8))
        write_json(d / "frame.json", {"frame": frame, "camera_name": cam, "files": ["image.png", "semantic.png",
                                                                                  "frame.json"]})
    write_json(root / "scene.json", {k: v for k, v in scene.items() if k != "ground"})
    return root
