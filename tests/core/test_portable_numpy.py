"""numpy's AVX-512 code paths are kept off, so a seed gives the same bytes on AVX2 and AVX-512 hosts."""

import os
import subprocess
import sys

import numpy as np

import wildsynth


def test_this_process_runs_the_portable_numpy_paths():
    # the suite imports wildsynth before numpy (tests/conftest.py); a plugin importing numpy first breaks it
    assert wildsynth.numpy_dispatch_is_portable()


def test_a_fresh_interpreter_importing_wildsynth_first_gets_them_and_passes_them_on():
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    code = ("import wildsynth, numpy, os; print(wildsynth.numpy_dispatch_is_portable(), "
            "'AVX512F' in os.environ.get('NPY_DISABLE_CPU_FEATURES', ''))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_transcendentals_match_the_scalar_libm():
    # float64 exp/log/sin/cos are those of the C library, as on an AVX2 machine (AVX-512 numpy: exp and log differ)
    x = np.random.default_rng(0).uniform(-20.0, 20.0, 4096)
    import math

    for f, g, arg in ((np.exp, math.exp, x), (np.log, math.log, np.abs(x) + 1e-3), (np.sin, math.sin, x),
                      (np.cos, math.cos, x)):
        assert np.array_equal(f(arg), np.array([g(v) for v in arg])), f.__name__
