"""Reading inputs and pairing folders for the stereo-from-mono tools.

Images: PNG (8/16-bit), JPEG, BMP, TIFF via imageio; EXR renders (linear) are
converted to 8-bit sRGB. Depth: PFM, EXR (channel ``Z``, or the only channel),
16-bit PNG (``value / png_scale``; default 1000, i.e. millimetres; 0 = invalid
for z-depth) or ``.npy``. A depth file pairs with an image when its stem equals
the image's stem, optionally followed by ``_depth``, ``-depth`` or ``.depth``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .disparity import StereoInputError

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".exr")
DEPTH_EXTS = (".pfm", ".exr", ".png", ".npy")
DEPTH_SUFFIXES = ("", "_depth", "-depth", ".depth")


def _visible_files(folder: Path, exts: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in exts)


def list_images(folder: Path) -> list[Path]:
    return _visible_files(folder, IMAGE_EXTS)


def pair_folders(images: Path, depth: Path) -> tuple[list[tuple[str, Path, Path]], list[Path]]:
    """Match images to depth files; return ([(stem, image, depth)], [images with no depth])."""
    by_stem: dict[str, Path] = {}
    for p in _visible_files(depth, DEPTH_EXTS):
        by_stem.setdefault(p.stem, p)  # sorted order: first extension alphabetically wins
    pairs, missing = [], []
    for img in list_images(images):
        match = next((by_stem[img.stem + s] for s in DEPTH_SUFFIXES if img.stem + s in by_stem), None)
        if match is None:
            missing.append(img)
        else:
            pairs.append((img.stem, img, match))
    return pairs, missing


def read_image(path: Path) -> np.ndarray:
    """Read an image as uint8/uint16 (H, W[, C]); EXR is converted from linear to 8-bit sRGB."""
    try:
        if path.suffix.lower() == ".exr":
            from wildsynth.io.exr import read_exr_image
            from wildsynth.io.png import to_srgb8

            return to_srgb8(read_exr_image(path)[..., :3])
        import imageio.v3 as iio

        img = np.asarray(iio.imread(path))
    except Exception as e:
        raise StereoInputError(f"{path}: cannot read image ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    if img.dtype not in (np.uint8, np.uint16) or img.ndim not in (2, 3):
        raise StereoInputError(f"{path}: unsupported image ({img.dtype}, shape {img.shape})")
    return img


def _exr_depth(path: Path) -> np.ndarray:
    from wildsynth.io.exr import read_exr

    chans = read_exr(path)
    for key in ("Z", "depth", "Depth.Z", "Y", "R"):
        if key in chans and chans[key].ndim == 2:
            return chans[key]
    if len(chans) == 1 and next(iter(chans.values())).ndim == 2:
        return next(iter(chans.values()))
    raise StereoInputError(f"{path}: EXR has no depth channel 'Z' (channels: {', '.join(sorted(chans))})")


def read_depth(path: Path, png_scale: float = 1000.0, inverse: bool = False) -> np.ndarray:
    """Read a depth (or inverse depth) map as float32 (H, W); NaN marks invalid PNG zeros."""
    ext = path.suffix.lower()
    try:
        if ext == ".pfm":
            from wildsynth.io.pfm import read_pfm

            d = read_pfm(path)
        elif ext == ".exr":
            d = _exr_depth(path)
        elif ext == ".npy":
            d = np.load(path, allow_pickle=False)
        elif ext == ".png":
            from wildsynth.io.png import read_png

            raw = read_png(path)
            if raw.dtype != np.uint16 or raw.ndim != 2:
                raise StereoInputError(f"{path}: depth PNG must be 16-bit single channel, got {raw.dtype} {raw.shape}")
            d = raw.astype(np.float32) / np.float32(png_scale)
            if not inverse:
                d[raw == 0] = np.nan  # 0 = invalid in integer depth files
        else:
            raise StereoInputError(f"{path}: unsupported depth format {ext!r} (use .pfm, .exr, .png or .npy)")
    except StereoInputError:
        raise
    except Exception as e:
        raise StereoInputError(f"{path}: cannot read depth ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    d = np.asarray(d)
    if d.ndim == 3 and d.shape[2] == 1:
        d = d[:, :, 0]
    if d.ndim == 3:
        raise StereoInputError(f"{path}: depth must have one channel, got shape {d.shape} ({d.shape[2]} channels); "
                               "save a single (H, W) map")
    if d.ndim != 2 or not np.issubdtype(d.dtype, np.number) or np.issubdtype(d.dtype, np.complexfloating):
        raise StereoInputError(f"{path}: depth must be a 2-D numeric map, got {d.dtype} shape {d.shape}")
    return d.astype(np.float32, copy=False)
