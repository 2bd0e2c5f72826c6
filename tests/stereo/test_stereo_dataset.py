"""The on-the-fly dataset: works without torch, behaves like a torch Dataset with it."""

import subprocess
import sys

import numpy as np
import pytest

import wildsynth.stereo.dataset as dsmod
from wildsynth.io.pfm import write_pfm
from wildsynth.io.png import write_png

H, W = 16, 24


def arrays(n=3):
    rng = np.random.default_rng(0)
    imgs = [(rng.random((H, W, 3)) * 255).astype(np.uint8) for _ in range(n)]
    z = np.full((H, W), 6.0)
    z[4:12, 8:16] = 2.0
    return imgs, [z] * n


def test_numpy_items_layout_and_determinism():
    imgs, deps = arrays()
    ds = dsmod.MonoStereoDataset(imgs, deps, seed=1, max_disp_min=4, max_disp_max=8)
    assert len(ds) == 3
    left, right, disp, valid = (np.asarray(a) for a in ds[0])  # tensors when torch is installed
    assert left.shape == right.shape == (3, H, W) and left.dtype == np.float32
    assert disp.shape == (1, H, W) and valid.shape == (H, W) and valid.dtype == bool
    assert 4 <= disp.max() <= 8 * 1.15
    np.testing.assert_array_equal(np.asarray(ds[0][1]), right)  # same item, same pair
    ds.set_epoch(1)
    assert not np.array_equal(np.asarray(ds[0][1]), right)  # a new epoch draws a new pair
    noc = dsmod.MonoStereoDataset(imgs, deps, seed=1, mask="noc", max_disp_min=4, max_disp_max=8)
    assert np.asarray(noc[0][3]).sum() < valid.sum()
    with pytest.raises(IndexError):
        ds[3]


def test_folders(tmp_path):
    imgs, deps = arrays(2)
    (tmp_path / "i").mkdir()
    (tmp_path / "d").mkdir()
    for k in range(2):
        write_png(tmp_path / "i" / f"a{k}.png", imgs[k])
        write_pfm(tmp_path / "d" / f"a{k}.pfm", deps[k].astype(np.float32))
    ds = dsmod.MonoStereoDataset(tmp_path / "i", tmp_path / "d", focal=10, baseline=1.0)
    _, _, disp, _ = ds[1]
    np.testing.assert_allclose(np.asarray(disp)[0, 0, 0], 10 / 6, rtol=1e-5)


def test_with_torch_it_is_a_torch_dataset():
    import torch
    from torch.utils.data import DataLoader, Dataset

    imgs, deps = arrays(4)
    ds = dsmod.MonoStereoDataset(imgs, deps, seed=2, max_disp_min=4, max_disp_max=8)
    assert isinstance(ds, Dataset)
    item = ds[0]
    assert len(item) == 4 and all(isinstance(t, torch.Tensor) for t in item)
    left, right, disp, valid = next(iter(DataLoader(ds, batch_size=2, shuffle=False)))
    assert left.shape == right.shape == (2, 3, H, W) and disp.shape == (2, 1, H, W) and valid.shape == (2, H, W)
    assert left.dtype == torch.float32 and valid.dtype == torch.bool
    np.testing.assert_array_equal(disp[1].numpy(), np.asarray(ds[1][2]))


def test_module_works_without_torch():
    code = ("import sys; sys.modules['torch'] = None; import numpy as np; import wildsynth.stereo.dataset as d; "
            "assert d.torch is None; z = np.full((16, 24), 6.0); z[4:12, 8:16] = 2.0; "
            "im = np.zeros((16, 24, 3), np.uint8); item = d.MonoStereoDataset([im], [z])[0]; "
            "assert all(isinstance(a, np.ndarray) for a in item) and item[0].dtype == np.float32")
    subprocess.run([sys.executable, "-c", code], check=True)
