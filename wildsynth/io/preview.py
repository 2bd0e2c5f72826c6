"""Human-viewable previews of ground truth, and the contact sheet."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

# A perceptually ordered dark-to-bright map (inferno-like), as control points.
_MAP = np.array([[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66],
                 [245, 125, 21], [250, 193, 39], [252, 255, 164]], dtype=np.float64)


def colormap(x: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to uint8 RGB."""
    x = np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0) * (len(_MAP) - 1)
    i = np.minimum(x.astype(int), len(_MAP) - 2)
    f = (x - i)[..., None]
    return ((1 - f) * _MAP[i] + f * _MAP[i + 1]).astype(np.uint8)


def depth_preview(depth: np.ndarray) -> np.ndarray:
    """Inverse depth, normalised by robust percentiles; near is bright, sky black."""
    finite = np.isfinite(depth) & (depth > 0)
    out = np.zeros(depth.shape + (3,), dtype=np.uint8)
    if finite.any():
        inv = 1.0 / depth[finite]
        lo, hi = np.percentile(inv, [1, 99])
        out[finite] = colormap((inv - lo) / max(hi - lo, 1e-12))
    return out


def normal_preview(normal: np.ndarray) -> np.ndarray:
    """Camera-axes normals as colour: (x, -y, -z) mapped from [-1, 1] (facing camera is blue)."""
    n = normal * np.array([1.0, -1.0, -1.0])
    out = ((n * 0.5 + 0.5) * 255).clip(0, 255).astype(np.uint8)
    out[np.all(normal == 0, axis=-1)] = 0
    return out


def id_preview(ids: np.ndarray, palette: list | None = None) -> np.ndarray:
    """Ids as colours: a fixed palette when given (classes), else a hash per id; 0 is black."""
    ids = ids.astype(np.int64)
    if palette is not None:
        pal = np.array(palette, dtype=np.uint8)
        return pal[np.clip(ids, 0, len(pal) - 1)]
    h = (ids * 2654435761) & 0xFFFFFF
    out = np.stack([(h >> 16) & 255, (h >> 8) & 255, h & 255], -1).astype(np.uint8)
    out[ids == 0] = 0
    return out


def contact_sheet(tiles: list[tuple[str, np.ndarray]], columns: int = 3, max_tile_width: int = 640) -> np.ndarray:
    """Labelled tiles (uint8 RGB, same size) in a grid."""
    h, w = tiles[0][1].shape[:2]
    scale = min(1.0, max_tile_width / w)
    tw, th = max(int(w * scale), 1), max(int(h * scale), 1)
    pad = 18
    rows = (len(tiles) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * tw, rows * (th + pad)), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for k, (label, img) in enumerate(tiles):
        r, c = divmod(k, columns)
        tile = Image.fromarray(img).resize((tw, th), Image.NEAREST if scale < 1 else Image.BILINEAR)
        sheet.paste(tile, (c * tw, r * (th + pad) + pad))
        draw.text((c * tw + 4, r * (th + pad) + 3), label, fill=(230, 230, 230))
    return np.asarray(sheet)
