"""Regenerate the pictures of docs/ground_truth.md from a generated stereo sequence.

    wildsynth generate --out /tmp/gt_doc --resolution 480x270 --samples 32 --frames 2 --fps 8 \
        --rig stereo --baseline 0.3 --motion particles=120 --motion particle_size=0.12 --seed 3
    python docs/ground_truth/make_figures.py /tmp/gt_doc docs/ground_truth
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from wildsynth.core.camera import Camera
from wildsynth.core.labels import palette
from wildsynth.io import read_exr, read_json, read_png
from wildsynth.io.coco import read_panoptic_png
from wildsynth.io.flo import read_flo
from wildsynth.io.ids import read_id_png
from wildsynth.io.preview import depth_preview, id_preview, normal_preview
from wildsynth.io.preview_motion import disparity_preview, flow_preview, mask_preview, signed_preview


def label(img: np.ndarray, text: str) -> np.ndarray:
    im = Image.fromarray(img)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, 7 * len(text) + 8, 16], fill=(0, 0, 0))
    d.text((4, 2), text, fill=(255, 255, 255))
    return np.asarray(im)


def main(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    v = src / "left" / "000000"
    meta = read_json(v / "frame.json")
    cam = Camera.from_dict(meta["camera"])
    rgb = read_png(v / "image.png")
    depth = read_exr(v / "depth.exr")["Z"]
    n = read_exr(v / "normal.exr", separate=True)
    normal = np.dstack([n[c] for c in "XYZ"])
    inst = read_id_png(v / "instance.png")
    sem = read_png(v / "semantic.png")
    pan = read_panoptic_png(v / "panoptic.png")
    fwd, _ = read_flo(v / "flow_fwd.flo")
    bwd, _ = read_flo(v / "flow_bwd.flo")
    fv = read_png(v / "flow_fwd_valid.png") > 0
    bv = read_png(v / "flow_bwd_valid.png") > 0
    sf = read_exr(v / "scene_flow_fwd.exr", separate=True)
    disp = read_exr(v / "disparity.exr", separate=True)
    dr = read_exr(src / "right" / "000000" / "disparity.exr", separate=True)
    bnd = read_png(v / "boundaries.png") > 0
    mag = np.linalg.norm(np.dstack([sf[c] for c in "XYZ"]), axis=-1)

    boxes = Image.fromarray(rgb.copy())
    d = ImageDraw.Draw(boxes)
    for b in meta["boxes_2d"]:
        if b["class_id"] in (2, 16) and b["area"] >= 4:
            x, y, w, h = b["bbox"]
            d.rectangle([x, y, x + w - 1, y + h - 1], outline=(255, 230, 0))
    edges = [(0, 1), (0, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 7), (6, 7), (0, 4), (1, 5), (2, 6), (3, 7)]
    for b in meta["boxes_3d"]:
        if b["class_id"] != 2:
            continue
        uv, z = cam.project(np.array(b["corners"]))
        if np.all(z > 0.1):
            for i, j in edges:
                d.line([tuple(uv[i]), tuple(uv[j])], fill=(0, 255, 255))

    tiles = {
        "rgb": rgb,
        "depth": depth_preview(depth),
        "normals": normal_preview(normal),
        "instances": id_preview(inst),
        "semantic": id_preview(sem, palette()),
        "panoptic": id_preview(pan),
        "boundaries": mask_preview(bnd),
        "flow_fwd": flow_preview(fwd, fv),
        "flow_bwd": flow_preview(bwd, bv),
        "flow_fwd_valid": mask_preview(fv),
        "scene_flow_magnitude": depth_preview(np.where(mag > 1e-6, 1.0 / np.maximum(mag, 1e-6), np.inf)),
        "depth_change": signed_preview(sf["depth_change"]),
        "disparity_left": disparity_preview(disp["D"], disp["valid"] > 0),
        "disparity_right": disparity_preview(dr["D"], dr["valid"] > 0),
        "boxes": np.asarray(boxes),
    }
    for name, img in tiles.items():
        Image.fromarray(label(img, name)).save(dst / f"{name}.png", optimize=True)
    # one overview sheet
    names = list(tiles)
    h, w = rgb.shape[:2]
    cols = 3
    rows = (len(names) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * w, rows * h), (20, 20, 20))
    for k, name in enumerate(names):
        sheet.paste(Image.fromarray(label(tiles[name], name)), ((k % cols) * w, (k // cols) * h))
    sheet.save(dst / "overview.png", optimize=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
