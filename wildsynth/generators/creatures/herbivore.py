"""Quadruped herbivore (deer, antelope, cattle-like): long legs and neck, small head, ears, short tail,
sometimes horns; walks (lateral sequence) or stands grazing."""

from __future__ import annotations

import numpy as np

from . import CreatureKind, register
from .quadruped import QuadrupedParams, make, size


def sample(rng: np.random.Generator) -> QuadrupedParams:
    scale = rng.uniform(0.75, 1.3)
    graze = rng.uniform() < 0.3
    return QuadrupedParams(
        body_length=1.15 * scale * rng.uniform(0.9, 1.1), hip_height=0.85 * scale * rng.uniform(0.9, 1.12),
        girth=rng.uniform(0.17, 0.24), neck_length=0.55 * scale * rng.uniform(0.85, 1.25),
        neck_angle_deg=rng.uniform(35.0, 60.0), head_length=0.4 * scale * rng.uniform(0.9, 1.1),
        head_width=0.085 * scale * rng.uniform(0.9, 1.15), tail_length=0.3 * scale * rng.uniform(0.6, 1.3),
        tail_thickness=0.03 * scale, leg_thickness=0.065 * scale * rng.uniform(0.85, 1.2),
        ears=0.12 * scale * rng.uniform(0.7, 1.2), horns=(0.3 * scale * rng.uniform(0.6, 1.4)
                                                         if rng.uniform() < 0.4 else 0.0),
        gait="stand" if graze else "walk", speed=0.0 if graze else rng.uniform(0.6, 1.4),
        stride=rng.uniform(0.95, 1.15), turn_deg=rng.uniform(-8.0, 8.0))


register(CreatureKind("herbivore", "herbivore", "ground", QuadrupedParams, sample,
                      lambda p, rng, place: make(p, rng, place, snout=0.55), "creature_skin", size))
