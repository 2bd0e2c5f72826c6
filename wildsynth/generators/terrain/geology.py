"""Geology for signed distance fields: strata, joints and honeycomb (tafoni) weathering.

Each function takes points in a formation's local frame (metres, z up from the
formation's base) and returns an *offset* added to a base SDF (positive = rock
removed), so formations stay plain SDFs joined by booleans:

- **strata**: horizontal beds of random thickness; each bed has a hardness in
  [0, 1]. Weathering removes ``(1 - hardness) * recess`` from a bed's exposed
  faces, so hard beds stand out as ledges and soft beds are undercut
  (differential erosion). Bedding planes wander a little (noise) and the step
  between beds is a short ramp (``ramp``), so the offset stays Lipschitz.
- **joints**: planar fracture sets (two near-vertical sets at about right angles
  and one bedding-parallel), joint planes every ``spacing`` metres; a few are
  open cracks (a slot of their own width cut into the rock), and the blocks
  between them retreat by their own small amount, so faces are planar and
  stepped where a joint bounds them.
- **tafoni**: cellular pits. Cells of a jittered 3D lattice (Worley noise,
  nearest and second-nearest feature point, F1 and F2); inside a cell the rock
  is scooped out as a bowl, thin walls stay where F2 - F1 is small: a
  honeycomb. Two scales; the pits cluster in patches (low-frequency noise) and
  favour soft beds.

All in numba, vectorised over points; pure functions of the draws in
``Geology`` (deterministic per seed).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from pydantic import BaseModel, ConfigDict, Field

from ..noise import fbm3, perm_table

N_BEDS = 256  # bed table length (beds repeat beyond 256 * thickness)


class GeologyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bed_thickness: float = Field(0.9, ge=0.05, le=50.0, description="mean thickness of a sandstone bed, m")
    recess: float = Field(0.55, ge=0.0, le=10.0, description="how far the softest bed retreats behind the hardest, m")
    ramp: float = Field(0.18, ge=0.01, le=5.0, description="height of the transition between two beds, m")
    joint_spacing: float = Field(4.5, ge=0.3, le=100.0, description="mean spacing of the vertical joint planes, m")
    joint_open: float = Field(0.3, ge=0.0, le=1.0, description="fraction of joints that are open cracks")
    joint_width: float = Field(0.16, ge=0.0, le=3.0, description="half-width of an open joint crack, m")
    block_step: float = Field(0.12, ge=0.0, le=3.0, description="largest retreat of one joint block's faces, m")
    tafoni_size: float = Field(0.7, ge=0.05, le=20.0, description="cell size of the large honeycomb pits, m")
    tafoni_depth: float = Field(0.22, ge=0.0, le=5.0, description="depth of the large pits, m")
    tafoni_cover: float = Field(0.55, ge=0.0, le=1.0, description="share of the surface with pits (patchy)")


@njit(cache=True, inline="always")
def _hash3(i, j, k, s):
    h = (i * 73856093) ^ (j * 19349663) ^ (k * 83492791) ^ (s * 2654435761)
    h = (h ^ (h >> 13)) * 1274126177
    h = h ^ (h >> 16)
    return h & 0x7FFFFFFF


@njit(cache=True, inline="always")
def _worley(x, y, z, seed):
    """F1 and F2: distances (in cells) to the nearest and second-nearest jittered lattice point."""
    xi, yi, zi = int(np.floor(x)), int(np.floor(y)), int(np.floor(z))
    f1, f2 = 1e9, 1e9
    for dk in range(-1, 2):
        for dj in range(-1, 2):
            for di in range(-1, 2):
                i, j, k = xi + di, yi + dj, zi + dk
                h = _hash3(i, j, k, seed)
                px = i + 0.1 + 0.8 * ((h & 1023) / 1023.0)
                py = j + 0.1 + 0.8 * (((h >> 10) & 1023) / 1023.0)
                pz = k + 0.1 + 0.8 * (((h >> 20) & 1023) / 1023.0)
                d = (x - px) ** 2 + (y - py) ** 2 + (z - pz) ** 2
                if d < f1:
                    f2 = f1
                    f1 = d
                elif d < f2:
                    f2 = d
    return np.sqrt(f1), np.sqrt(f2)


@njit(cache=True, inline="always")
def _smooth(t):
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


@njit(cache=True, parallel=True)
def _geology(p, wob, patch, bed_top, bed_soft, joint_n, joint_s, joint_w, open_cut, joint_step, ramp, recess,
             tf_size, tf_depth, tf_cover, seed):
    """Offset (m, positive = rock removed), the open cracks' value (rock where < 0) and the bed
    index of each point."""
    n = p.shape[0]
    out = np.empty(n)
    slot = np.empty(n)
    beds = np.empty(n, dtype=np.int64)
    nb = bed_top.shape[0]
    period = bed_top[nb - 1]
    for q in prange(n):
        x, y, z = p[q, 0], p[q, 1], p[q, 2]
        # strata: the bed holding z (bedding planes wobble by ``wob``), ramp to the next bed
        zz = z + wob[q]
        base = np.floor(zz / period) * period
        r = zz - base
        lo, hi = 0, nb - 1
        while lo < hi:  # first bed whose top is above r
            mid = (lo + hi) // 2
            if bed_top[mid] > r:
                hi = mid
            else:
                lo = mid + 1
        b = lo
        top = bed_top[b]
        soft = bed_soft[b]
        t = _smooth((r - (top - ramp)) / ramp)  # towards the bed above near the top
        soft = soft + (bed_soft[(b + 1) % nb] - soft) * t
        off = recess * soft
        # joints: per set, the distance to the nearest plane; open cracks cut, blocks retreat
        cut = -1e9
        for s in range(joint_n.shape[0]):
            u = (x * joint_n[s, 0] + y * joint_n[s, 1] + z * joint_n[s, 2]) / joint_s[s]
            k = np.floor(u + 0.5)
            dist = abs(u - k) * joint_s[s]
            u01 = (_hash3(int(k), s, 7, seed) & 1023) / 1023.0
            if u01 > open_cut:  # an open crack: a slot of half-width w through the rock
                w = joint_w[s] * (u01 - open_cut) / max(1.0 - open_cut, 1e-9)
                cut = max(cut, w - dist)
            blk = np.floor(u)
            hb = _hash3(int(blk), s, 11, seed)
            off += joint_step * ((hb & 1023) / 1023.0)
        # tafoni: two scales of honeycomb bowls in patches, deeper in soft beds
        if tf_depth > 0.0:
            cover = _smooth((patch[q] + (tf_cover - 0.5) * 1.6 + 0.3 * soft) * 2.5)
            if cover > 0.0:
                pit = 0.0
                sz = tf_size
                dep = tf_depth
                for octave in range(2):
                    f1, f2 = _worley(x / sz, y / sz, z / sz, seed + 101 * octave)
                    wall = _smooth((f2 - f1) / 0.22)  # 0 on the walls between cells
                    bowl = max(0.0, 1.0 - (f1 / 0.75) ** 2)
                    pit += dep * wall * bowl
                    sz *= 0.36
                    dep *= 0.4
                off += cover * pit
        out[q] = off
        slot[q] = cut
        beds[q] = b
    return out, slot, beds


class Geology:
    """The beds, joint sets and pit pattern of one formation, drawn once from ``rng``."""

    def __init__(self, params: GeologyParams, rng: np.random.Generator, strike: float | None = None):
        p = self.p = params
        th = p.bed_thickness * rng.lognormal(0.0, 0.45, N_BEDS)
        self.bed_top = np.cumsum(np.clip(th, 0.25 * p.bed_thickness, 3.0 * p.bed_thickness))
        # hardness comes in packages: runs of hard (cliff-forming) and soft (slope-forming) beds
        soft = rng.uniform(0.0, 1.0, N_BEDS) ** 0.7
        package = np.repeat(rng.uniform(0.0, 1.0, N_BEDS // 4 + 1), 4)[:N_BEDS]
        self.bed_soft = np.clip((0.55 * soft + 0.45 * package - 0.5) * 2.0 + 0.5, 0.0, 1.0)  # contrasted
        self.bed_offset = float(rng.uniform(0.0, self.bed_top[-1]))
        a = float(rng.uniform(0, np.pi)) if strike is None else strike
        b = a + np.pi / 2 + rng.normal(0.0, 0.12)
        dip = rng.normal(0.0, 0.08, 2)
        self.joint_n = np.array([[np.cos(a) * np.cos(dip[0]), np.sin(a) * np.cos(dip[0]), np.sin(dip[0])],
                                 [np.cos(b) * np.cos(dip[1]), np.sin(b) * np.cos(dip[1]), np.sin(dip[1])]])
        self.joint_s = p.joint_spacing * rng.uniform(0.7, 1.3, 2)
        self.joint_w = p.joint_width * rng.uniform(0.6, 1.4, 2)  # an open crack's half-width: up to this
        self.perm = perm_table(rng)
        self.seed = int(rng.integers(1, 2**30))

    def apply(self, d: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The base SDF ``d`` at local points q (N, 3) weathered: beds recessed, joint blocks stepped,
        pits scooped, open joints cut (``max(d + offset, slot)``); and the bed index of each point."""
        q = np.ascontiguousarray(q, dtype=np.float64)
        p = self.p
        wob = 0.25 * p.bed_thickness * fbm3(q / (6.0 * p.bed_thickness), self.perm, octaves=2) + self.bed_offset
        patch = fbm3(q / (2.5 * p.tafoni_size) + 17.0, self.perm, octaves=2)
        off, slot, beds = _geology(q, wob, patch, self.bed_top, self.bed_soft, self.joint_n, self.joint_s,
                                   self.joint_w, 1.0 - float(p.joint_open), float(p.block_step), float(p.ramp),
                                   float(p.recess), float(p.tafoni_size), float(p.tafoni_depth),
                                   float(p.tafoni_cover), self.seed)
        return np.maximum(np.asarray(d) + off, slot), beds
