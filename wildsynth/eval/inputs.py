"""Reading what ``wildsynth evaluate`` compares: files wildsynth writes, or any model's outputs.

Every reader raises ``UserError`` (one line naming the file) on a missing, unreadable or
malformed input. A wildsynth frame folder given as ground truth resolves to its files:
depth ``depth.exr`` > ``depth.pfm`` > ``depth.npy``; normals ``normal.exr`` > ``normal.npy``;
an image ``image.png``; captions ``caption.json`` (or, when absent, the captions made from
the run's ``scene.json`` and the view's ``semantic.png``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..params import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".exr", ".npy")
DEPTH_SUFFIXES = (".exr", ".pfm", ".npy", ".npz", ".png")
FRAME_FILES = {"depth": ("depth.exr", "depth.pfm", "depth.npy"), "normals": ("normal.exr", "normal.npy"),
               "image": ("image.png", "image.exr")}


def _exists(path: Path, what: str) -> Path:
    if not path.exists():
        raise UserError(f"{what} {path}: no such file or folder")
    return path


def resolve(path: Path, kind: str, what: str) -> Path:
    """``path`` itself, or the ``kind`` file of the frame folder ``path``."""
    _exists(path, what)
    if not path.is_dir():
        return path
    for name in FRAME_FILES[kind]:
        if (path / name).is_file():
            return path / name
    raise UserError(f"{what} {path}: a folder without {' or '.join(FRAME_FILES[kind])}")


def _load_array(path: Path) -> np.ndarray:
    if path.suffix == ".npz":
        z = np.load(path, allow_pickle=False)
        if len(z.files) != 1:
            raise ValueError(f"holds {len(z.files)} arrays ({', '.join(z.files)}); give an .npz with one array")
        return z[z.files[0]]
    return np.load(path, allow_pickle=False)


def read_depth(path: Path, what: str, png_scale: float = 1000.0) -> np.ndarray:
    """(H, W) float64 depth or disparity: EXR (its one channel), PFM, npy/npz (squeezed), or a
    16-bit PNG divided by ``png_scale`` (0 read as invalid)."""
    path = resolve(path, "depth", what)
    s = path.suffix.lower()
    try:
        if s == ".exr":
            from ..io.exr import read_exr_image

            a = read_exr_image(path)
        elif s == ".pfm":
            from ..io.pfm import read_pfm

            a = read_pfm(path)
        elif s in (".npy", ".npz"):
            a = _load_array(path)
        elif s == ".png":
            from ..io.png import read_png

            raw = read_png(path)
            if raw.dtype != np.uint16:
                raise ValueError("an 8-bit PNG cannot hold depth; give a 16-bit PNG, EXR, PFM or npy")
            a = np.where(raw > 0, raw / png_scale, np.nan)
        else:
            raise ValueError(f"unknown depth format {s!r} (use {', '.join(DEPTH_SUFFIXES)})")
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise UserError(f"{what} {path}: {e}") from None
    a = np.squeeze(np.asarray(a, np.float64))
    if a.ndim != 2:
        raise UserError(f"{what} {path}: expected a one-channel (H, W) map, got shape {a.shape}")
    return a


def read_normals(path: Path, what: str) -> np.ndarray:
    """(H, W, 3) normals: EXR (X,Y,Z or R,G,B), npy/npz, or an 8-bit PNG mapped from [0, 255] to [-1, 1]."""
    path = resolve(path, "normals", what)
    s = path.suffix.lower()
    try:
        if s == ".exr":
            from ..io.exr import read_exr

            ch = read_exr(path, separate=True)
            keys = next((k for k in (("X", "Y", "Z"), ("R", "G", "B")) if all(c in ch for c in k)), None)
            if keys is None:
                raise ValueError(f"no X,Y,Z or R,G,B channels (has {', '.join(sorted(ch))})")
            a = np.stack([ch[c] for c in keys], -1)
        elif s in (".npy", ".npz"):
            a = _load_array(path)
        elif s == ".png":
            from ..io.png import read_png

            raw = read_png(path)
            a = raw[..., :3].astype(np.float64) / (65535.0 if raw.dtype == np.uint16 else 255.0) * 2.0 - 1.0
        else:
            raise ValueError(f"unknown normals format {s!r} (use .exr, .npy, .npz, .png)")
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise UserError(f"{what} {path}: {e}") from None
    a = np.asarray(a, np.float64)
    if a.ndim == 3 and a.shape[0] == 3 and a.shape[-1] != 3:  # (3, H, W) from a network
        a = np.moveaxis(a, 0, -1)
    if a.ndim != 3 or a.shape[-1] != 3:
        raise UserError(f"{what} {path}: expected (H, W, 3) normals, got shape {a.shape}")
    return a


def read_image(path: Path, what: str) -> np.ndarray:
    """An image as stored (uint8/uint16 PNG/JPEG, float EXR/npy)."""
    path = resolve(path, "image", what)
    s = path.suffix.lower()
    try:
        if s == ".exr":
            from ..io.exr import read_exr

            ch = read_exr(path, separate=True)
            keys = [c for c in ("R", "G", "B") if c in ch] or sorted(ch)
            a = np.stack([ch[c] for c in keys], -1)
        elif s in (".npy", ".npz"):
            a = _load_array(path)
        elif s in IMAGE_SUFFIXES:
            import imageio.v3 as iio

            a = iio.imread(path)
        else:
            raise ValueError(f"unknown image format {s!r} (use {', '.join(IMAGE_SUFFIXES)})")
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        raise UserError(f"{what} {path}: {e}") from None
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3):
        raise UserError(f"{what} {path}: expected an (H, W) or (H, W, C) image, got shape {a.shape}")
    return a


def read_mask(path: Path | None, what: str = "--mask") -> np.ndarray | None:
    """A validity mask: any image or array, non-zero = valid (first channel of a colour image)."""
    if path is None:
        return None
    a = read_image(_exists(path, what), what)
    return (a[..., 0] if a.ndim == 3 else a) != 0


def read_geometry(path: Path, what: str, samples: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Points (N, 3), their normals or None, and "mesh" or "points": a mesh file (.obj, .glb, a
    .ply with faces) is sampled area-weighted; a point set is read as it is."""
    from .geometry import sample_surface
    from .meshio import MESH_SUFFIXES, POINT_SUFFIXES, read_mesh, read_ply, read_points

    _exists(path, what)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in set(MESH_SUFFIXES + POINT_SUFFIXES))
        if len(found) != 1:
            raise UserError(f"{what} {path}: a folder must hold exactly one mesh or point file "
                            f"({', '.join(sorted(set(MESH_SUFFIXES + POINT_SUFFIXES)))}); found {len(found)}")
        path = found[0]
    s = path.suffix.lower()
    try:
        if s in (".obj", ".glb") or (s == ".ply" and len(read_ply(path)["faces"])):
            v, f = read_mesh(path)
            pts, nrm = sample_surface(v, f, samples, rng)
            return pts, nrm, "mesh"
        pts, nrm = read_points(path)
        return pts, nrm, "points"
    except (OSError, ValueError, KeyError, IndexError, json.JSONDecodeError) as e:
        raise UserError(f"{what} {path}: {e}") from None


def read_shape_set(path: Path, what: str, samples: int, seed: int) -> list[np.ndarray]:
    """A set of shapes: one .npy/.npz array (S, N, 3), or a folder of mesh / point files (sorted by name)."""
    from ..core.seeds import SeedTree
    from .meshio import MESH_SUFFIXES, POINT_SUFFIXES

    _exists(path, what)
    if path.is_file():
        try:
            a = _load_array(path) if path.suffix.lower() in (".npy", ".npz") else None
        except (OSError, ValueError) as e:
            raise UserError(f"{what} {path}: {e}") from None
        if a is None or a.ndim != 3 or a.shape[-1] != 3:
            raise UserError(f"{what} {path}: expected an (S, N, 3) array of S shapes or a folder of shape files")
        return [np.asarray(x, np.float64) for x in a]
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in set(MESH_SUFFIXES + POINT_SUFFIXES))
    if not files:
        raise UserError(f"{what} {path}: no mesh or point files in the folder")
    root = SeedTree(seed).child("evaluate").child("shapes")
    return [read_geometry(p, what, samples, root.child(p.name).rng())[0] for p in files]


def read_features(path: Path, what: str) -> np.ndarray:
    _exists(path, what)
    try:
        a = np.asarray(_load_array(path), np.float64)
    except (OSError, ValueError) as e:
        raise UserError(f"{what} {path}: {e}") from None
    if a.ndim != 2:
        raise UserError(f"{what} {path}: expected an (N, D) feature array, got shape {a.shape}")
    return a


def frame_caption_attributes(folder: Path, what: str) -> dict:
    """The ground-truth attributes of a view folder: its ``caption.json``, else made from the run."""
    if (folder / "caption.json").is_file():
        try:
            return json.loads((folder / "caption.json").read_text())["attributes"]
        except (OSError, ValueError, KeyError) as e:
            raise UserError(f"{what} {folder / 'caption.json'}: {e}") from None
    from ..run.captions import view_captions

    try:
        return view_captions(folder).canonical.attributes
    except (OSError, ValueError, KeyError) as e:
        raise UserError(f"{what} {folder}: {e}") from None
