"""The on-the-fly dataset: works without torch, behaves like a torch Dataset with it."""

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import wildsynth.stereo.dataset as dsmod
from wildsynth.io.png import write_png
from wildsynth.io.pfm import write_pfm

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
    left, right, disp, valid = ds[0]
    assert left.shape == right.shape == (3, H, W) and left.dtype == np.float32
    assert disp.shape == (1, H, W) and valid.shape == (H, W) and valid.dtype == bool
    assert 4 <= disp.max() <= 8 * 1.15
    np.testing.assert_array_equal(ds[0][1], right)  # same item, same pair
    ds.set_epoch(1)
    assert not np.array_equal(ds[0][1], right)  # a new epoch draws a new pair
    noc = dsmod.MonoStereoDataset(imgs, deps, seed=1, mask="noc", max_disp_min=4, max_disp_max=8)
    assert noc[0][3].sum() < valid.sum()
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
    np.testing.assert_allclose(disp[0, 0, 0], 10 / 6, rtol=1e-5)


def test_with_torch_present_it_is_a_torch_dataset(monkeypatch):
    """Load the module with a stand-in `torch` (torch is not installed here) and check the contract."""
    fake = types.ModuleType("torch")
    utils = types.ModuleType("torch.utils")
    data = types.ModuleType("torch.utils.data")

    class Dataset:  # what torch.utils.data.Dataset provides that matters here: a base class
        pass

    class Tensor:
        def __init__(self, a):
            self.a = a

    data.Dataset = Dataset
    fake.utils, utils.data = utils, data
    fake.from_numpy = Tensor
    for name, mod in (("torch", fake), ("torch.utils", utils), ("torch.utils.data", data)):
        monkeypatch.setitem(sys.modules, name, mod)
    spec = importlib.util.spec_from_file_location("wildsynth.stereo._dataset_with_torch", Path(dsmod.__file__))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    imgs, deps = arrays()
    ds = mod.MonoStereoDataset(imgs, deps)
    assert isinstance(ds, Dataset)
    item = ds[0]
    assert len(item) == 4 and all(isinstance(t, Tensor) for t in item)
    assert item[2].a.shape == (1, H, W)


def test_module_imports_without_torch():
    assert dsmod.torch is None or hasattr(dsmod.torch, "from_numpy")
    import subprocess

    code = "import sys; sys.modules['torch'] = None; import wildsynth.stereo.dataset as d; assert d.torch is None"
    subprocess.run([sys.executable, "-c", code], check=True)
