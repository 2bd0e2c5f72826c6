"""wildsynth: procedural natural worlds with exact ground truth."""

import os as _os
import sys as _sys

# The same seed must give the same bytes on every x86-64 machine. numpy picks its AVX-512 code
# paths (exp, log, sin, power, ...) where the CPU has them, and those round differently in the last
# bit from the AVX2 ones: on an AVX-512 host the mountain's heights and the plains' plant placements
# came out different from an AVX2 host's. So, when wildsynth is imported before numpy (the CLI, the
# tests, every worker), numpy is told to leave AVX-512 out; child processes inherit the setting.
# ``numpy_dispatch_is_portable()`` says whether it took effect in this process.
_AVX512 = "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"
if "numpy" not in _sys.modules:
    _os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", _AVX512)


def numpy_dispatch_is_portable() -> bool:
    """True when numpy runs no AVX-512 code path here (so results match AVX2 machines bit for bit)."""
    from numpy.core._multiarray_umath import __cpu_features__ as features

    return not any(features.get(name, False) for name in _AVX512.split())


__version__ = "0.1.0"
