"""`from_mono`: one image + its depth -> a stereo training pair (Watson et al., ECCV 2020)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .augment import augment_pair
from .disparity import StereoInputError, depth_to_disparity
from .fill import composite_fill, fit_background, inpaint_holes, match_colour_stats, procedural_background
from .params import StereoParams
from .sharpen import fill_invalid, sharpen_disparity
from .warp import forward_warp

# mask encoding of StereoPair.mask_u8() (written as mask/<stem>.png)
MASK_INVALID, MASK_OCCLUDED, MASK_VISIBLE = 0, 128, 255


@dataclass
class StereoPair:
    """A rectified stereo pair synthesised from one image.

    Images are float32 (H, W, C), in [0, 1] for integer inputs. ``disparity``
    is the left view's, positive pixels (x_right = x_left - d); it is the
    sharpened map that drove the warp, so it is exact for this pair.
    """

    left: np.ndarray
    right: np.ndarray
    disparity: np.ndarray
    valid: np.ndarray  # left view: disparity defined (input depth valid)
    occluded: np.ndarray  # left view: not visible in the right view (behind a nearer surface or out of frame)
    holes: np.ndarray  # right view: disoccluded pixels that were filled
    disparity_right: np.ndarray  # right view disparity of the visible surface, 0 in holes
    max_disp: float  # the sampled max disparity (relative mode) or f*B (metric mode)
    info: dict = field(default_factory=dict)

    @property
    def noc(self) -> np.ndarray:
        """Left pixels with a valid disparity that are visible in both views."""
        return self.valid & ~self.occluded

    def mask_u8(self) -> np.ndarray:
        """uint8 mask: 0 invalid, 128 valid but occluded in the right view, 255 valid and visible."""
        m = np.full(self.valid.shape, MASK_VISIBLE, np.uint8)
        m[self.occluded] = MASK_OCCLUDED
        m[~self.valid] = MASK_INVALID
        return m


def as_float_image(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """(H, W[, C]) uint8/uint16/float -> float32 (H, W, C) with C in {1, 3}; and whether it was integer."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3 or img.shape[2] not in (1, 2, 3, 4):
        raise StereoInputError(f"image must be (H, W), (H, W, 1|3|4), got shape {img.shape}")
    if img.shape[2] in (2, 4):  # drop alpha
        img = img[:, :, :-1]
    if img.dtype == np.uint8:
        return img.astype(np.float32) / np.float32(255), True
    if img.dtype == np.uint16:
        return img.astype(np.float32) / np.float32(65535), True
    if np.issubdtype(img.dtype, np.floating):
        out = img.astype(np.float32)
        if not np.isfinite(out).all():
            raise StereoInputError("image has NaN or infinite values")
        return out, False
    raise StereoInputError(f"image dtype must be uint8, uint16 or float, got {img.dtype}")


def _as_rng(rng: int | np.random.Generator) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise StereoInputError(f"rng must be an int seed or a numpy Generator, got {type(rng).__name__}")


def _params(params: StereoParams | None, overrides: dict) -> StereoParams:
    base = {} if params is None else params.model_dump()
    base.update(overrides)
    try:
        return StereoParams(**base)
    except Exception as e:  # pydantic ValidationError -> one line
        errs = getattr(e, "errors", None)
        if callable(errs):
            first = errs()[0]
            loc = ".".join(str(p) for p in first.get("loc", ())) or "params"
            raise StereoInputError(f"{loc}: {first.get('msg')} (got {first.get('input')!r})") from None
        raise StereoInputError(str(e)) from None


def from_mono(
    image: np.ndarray,
    depth: np.ndarray,
    rng: int | np.random.Generator = 0,
    *,
    background: np.ndarray | None = None,
    params: StereoParams | None = None,
    **overrides,
) -> StereoPair:
    """Synthesise a stereo pair from ``image`` (left view) and its ``depth``.

    ``rng``: an int seed or a ``np.random.Generator`` -- the only source of
    randomness. ``background``: optional image (any size) for filling
    disocclusions; without it a procedural background is used (see ``fill``).
    Any :class:`StereoParams` field can be passed as a keyword
    (``max_disp_min=..., focal=..., baseline=..., fill="inpaint", augment=True``).
    Raises :class:`StereoInputError` (a ``ValueError``) with a one-line message
    on bad input.
    """
    p = _params(params, overrides)
    gen = _as_rng(rng)
    left, is_int = as_float_image(image)
    z = np.asarray(depth)
    if z.ndim == 3 and z.shape[2] == 1:
        z = z[:, :, 0]
    if z.ndim != 2:
        raise StereoInputError(f"depth must be (H, W), got shape {z.shape}")
    if not (np.issubdtype(z.dtype, np.floating) or np.issubdtype(z.dtype, np.integer)):
        raise StereoInputError(f"depth dtype must be numeric, got {z.dtype}")
    if z.shape != left.shape[:2]:
        raise StereoInputError(f"depth size {z.shape[1]}x{z.shape[0]} does not match image size {left.shape[1]}x{left.shape[0]}")

    disp, valid, scale = depth_to_disparity(z, p, gen)
    disp = fill_invalid(disp, valid)
    n_flying = 0
    if p.sharpen:
        disp, flying = sharpen_disparity(disp, p.sobel_threshold)
        n_flying = int(flying.sum())

    warped, coverage, holes, dright, occluded = forward_warp(left, disp, p.occlusion_tol)

    if background is not None:
        bg, _ = as_float_image(background)
        bg = match_colour_stats(fit_background(bg, left.shape, gen), left)
        bg_kind = "image"
    else:  # a flipped, shifted copy of the left image: its colour statistics already match
        bg = procedural_background(left, gen)
        bg_kind = "procedural"
    if p.fill == "inpaint" and holes.any():
        fill_img, done = inpaint_holes(warped, holes, dright)
        fill_img[~done] = bg[~done]
        fill_kind = "inpaint"
    else:
        fill_img = bg
        fill_kind = f"background:{bg_kind}"
    right = composite_fill(warped, coverage, holes, fill_img)
    if is_int:
        right = np.clip(right, 0.0, 1.0)

    info = {"fill": fill_kind, "flying_pixels": n_flying, "hole_fraction": float(holes.mean()),
            "mode": "metric" if p.metric else "relative", "input_dtype": str(np.asarray(image).dtype)}
    out_left = left
    if p.augment:
        out_left, right, applied = augment_pair(left, right, p, gen, clip=is_int)
        info["augment"] = applied
    disp_label = np.where(valid, disp, 0).astype(np.float32)
    return StereoPair(out_left, right, disp_label, valid, occluded, holes, dright, float(scale), info)
