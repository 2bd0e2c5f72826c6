"""A torch-style dataset that synthesises stereo pairs on the fly.

Importable without torch. If torch is installed the class subclasses
``torch.utils.data.Dataset`` and returns tensors; otherwise numpy arrays with the
same layout. Items follow torchvision's stereo datasets::

    left, right: float32 (C, H, W)   -- in [0, 1] for integer images
    disparity:   float32 (1, H, W)   -- left view, positive px
    valid_mask:  bool    (H, W)      -- mask="valid": disparity defined (default);
                                        mask="noc": also visible in the right view

Item ``i`` in epoch ``e`` is drawn from ``SeedSequence([seed, e, i])``: the same
item is reproducible, and a new epoch gives new pairs (call ``set_epoch``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .files import pair_folders, read_depth, read_image
from .pair import StereoPair, from_mono
from .params import StereoParams

try:  # optional
    import torch
    from torch.utils.data import Dataset as _Base
except ImportError:  # pragma: no cover - exercised where torch is absent
    torch = None
    _Base = object


def _load(x, loader):
    return loader(Path(x)) if isinstance(x, (str, Path)) else np.asarray(x)


class MonoStereoDataset(_Base):
    """Stereo pairs from (image, depth) sources: two folders, or two equal-length sequences of paths/arrays."""

    def __init__(
        self,
        images: str | Path | Sequence,
        depths: str | Path | Sequence,
        *,
        seed: int = 0,
        params: StereoParams | None = None,
        backgrounds: Sequence | None = None,
        mask: str = "valid",
        transform: Callable | None = None,
        depth_png_scale: float = 1000.0,
        **overrides,
    ):
        if isinstance(images, (str, Path)) and isinstance(depths, (str, Path)):
            pairs, missing = pair_folders(Path(images), Path(depths))
            if missing:
                raise ValueError(f"no depth file in {depths} for image {missing[0].name}")
            self.images: list = [p[1] for p in pairs]
            self.depths: list = [p[2] for p in pairs]
        else:
            self.images, self.depths = list(images), list(depths)
            if len(self.images) != len(self.depths):
                raise ValueError(f"{len(self.images)} images but {len(self.depths)} depth maps")
        if mask not in ("valid", "noc"):
            raise ValueError(f"mask must be 'valid' or 'noc', got {mask!r}")
        base = {} if params is None else params.model_dump()
        self.params = StereoParams(**{**base, **overrides})
        self.backgrounds = list(backgrounds) if backgrounds is not None else None
        self.seed, self.epoch, self.mask = int(seed), 0, mask
        self.transform = transform
        self.depth_png_scale = depth_png_scale

    def __len__(self) -> int:
        return len(self.images)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def pair(self, index: int) -> StereoPair:
        """The full StereoPair for item ``index`` (all masks and metadata)."""
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, self.epoch, index]))
        image = _load(self.images[index], read_image)
        depth = _load(self.depths[index], lambda p: read_depth(p, self.depth_png_scale, self.params.inverse))
        background = None
        pool = self.backgrounds if self.backgrounds is not None else [im for k, im in enumerate(self.images) if k != index]
        if pool:
            background = _load(pool[int(rng.integers(len(pool)))], read_image)
        return from_mono(image, depth, rng, background=background, params=self.params)

    def __getitem__(self, index: int):
        p = self.pair(index)
        valid = p.noc if self.mask == "noc" else p.valid
        item = (
            np.ascontiguousarray(p.left.transpose(2, 0, 1)),
            np.ascontiguousarray(p.right.transpose(2, 0, 1)),
            p.disparity[None].copy(),
            valid.copy(),
        )
        if torch is not None:
            item = tuple(torch.from_numpy(a) for a in item)
        if self.transform is not None:
            item = self.transform(*item)
        return item
