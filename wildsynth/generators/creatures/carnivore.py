"""Quadruped carnivore (wolf, big cat-like): long low body, short neck, broad head and snout, long tail,
paws; trots (diagonal pairs) or walks."""

from __future__ import annotations

import numpy as np

from . import CreatureKind, register
from .quadruped import QuadrupedParams, make, size


def sample(rng: np.random.Generator) -> QuadrupedParams:
    scale = rng.uniform(0.7, 1.25)
    trot = rng.uniform() < 0.6
    return QuadrupedParams(
        body_length=0.95 * scale * rng.uniform(0.9, 1.1), hip_height=0.55 * scale * rng.uniform(0.9, 1.1),
        girth=rng.uniform(0.16, 0.21), neck_length=0.25 * scale * rng.uniform(0.85, 1.2),
        neck_angle_deg=rng.uniform(10.0, 30.0), head_length=0.28 * scale * rng.uniform(0.9, 1.1),
        head_width=0.09 * scale * rng.uniform(0.9, 1.1), tail_length=0.65 * scale * rng.uniform(0.7, 1.2),
        tail_thickness=0.035 * scale, leg_thickness=0.055 * scale * rng.uniform(0.9, 1.15),
        ears=0.07 * scale * rng.uniform(0.7, 1.3), horns=0.0, gait="trot" if trot else "walk",
        speed=rng.uniform(1.4, 2.4) if trot else rng.uniform(0.7, 1.2), stride=rng.uniform(1.15, 1.35) if trot
        else rng.uniform(0.95, 1.1), turn_deg=rng.uniform(-10.0, 10.0))


register(CreatureKind("carnivore", "carnivore", "ground", QuadrupedParams, sample,
                      lambda p, rng, place: make(p, rng, place, snout=0.7, paws=True), "creature_skin", size))
