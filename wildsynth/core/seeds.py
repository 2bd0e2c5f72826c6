"""The seed tree: every random draw in wildsynth comes from one root seed.

``SeedTree(0).child("terrain").rng()`` always gives the same generator, and
the draws of ``child("rocks")`` do not depend on what ``child("terrain")`` did.
Children are keyed by name (hashed stably, not with Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


class SeedTree:
    """A node in the tree of seeds. Immutable; children are derived by name."""

    __slots__ = ("seed", "path")

    def __init__(self, seed: int, path: tuple[str, ...] = ()):
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.path = tuple(path)

    def child(self, name: str) -> "SeedTree":
        return SeedTree(self.seed, self.path + (name,))

    def _entropy(self) -> list[int]:
        return [self.seed] + [_name_key(p) for p in self.path]

    def rng(self) -> np.random.Generator:
        """A fresh generator for this node (the same one every call)."""
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self._entropy())))

    def int(self, high: int = 2**31 - 1) -> int:
        """A deterministic integer in [0, high) for seeding other systems (Cycles, numba)."""
        return int(np.random.SeedSequence(self._entropy()).generate_state(1, np.uint64)[0] % high)

    def __repr__(self) -> str:
        return f"SeedTree({self.seed}, {'/'.join(self.path) or '<root>'})"
