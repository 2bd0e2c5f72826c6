"""anno.npz (TAP-Vid / PointOdyssey point tracks): write -> read -> equal, atomically."""

import numpy as np

from wildsynth.gt.tracks import PointTracks
from wildsynth.io.tracks import KEYS, read_anno, write_anno


def tracks(t=5, n=7, seed=0) -> PointTracks:
    rng = np.random.default_rng(seed)
    return PointTracks(rng.uniform(0, 100, (t, n, 2)).astype(np.float32), rng.normal(size=(t, n, 3)).astype(np.float32),
                       rng.uniform(size=(t, n)) > 0.3, np.ones((t, n), bool), np.tile(np.eye(3, dtype=np.float32), (t, 1, 1)),
                       np.tile(np.eye(4, dtype=np.float32), (t, 1, 1)), np.arange(1, n + 1, dtype=np.uint32),
                       np.arange(t) / 24.0, np.arange(t, dtype=np.int32))


def test_round_trip(tmp_path):
    tr = tracks()
    path = tmp_path / "tracks" / "main" / "anno.npz"
    write_anno(path, tr)
    back = read_anno(path)
    assert set(back) == set(KEYS)
    for k in KEYS:
        a = np.asarray(getattr(tr, k))
        assert back[k].dtype == a.dtype and np.array_equal(back[k], a), k
    assert sorted(p.name for p in path.parent.iterdir()) == ["anno.npz"], "no temporary left"
    # numpy alone reads it, as loaders of PointOdyssey do
    with np.load(path) as z:
        assert z["trajs_2d"].shape == (5, 7, 2) and z["visibs"].dtype == bool


def test_rewrite_replaces(tmp_path):
    path = tmp_path / "anno.npz"
    write_anno(path, tracks(seed=1))
    write_anno(path, tracks(t=3, n=2, seed=2))
    assert read_anno(path)["trajs_3d"].shape == (3, 2, 3)
