"""The outside predictor that ``--feedback`` scores generated sequences with.

``--feedback`` names Python code, never a pickled model (unpickling a file runs whatever
it holds): ``package.module:name`` or ``path/to/file.py:name``, where ``name`` is

- a function of a list of sequence strings returning one score per sequence, or
- an object with ``predict_proba`` (the last column is used: the positive class's
  probability) or ``predict`` on that list, such as a scikit-learn pipeline that the
  file builds or loads itself (e.g. with ``skops.io``).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scigan.errors import ScienceError, brief

#: Endings of pickled model files, refused with the reason.
PICKLES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".sav")


def _module(where: str, spec: str) -> Any:
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise ScienceError(f"--feedback {spec}: no file {path}; give path/to/file.py:function")
        loader = importlib.util.spec_from_file_location(f"scigan_feedback_{path.stem}", path)
        assert loader is not None and loader.loader is not None
        module = importlib.util.module_from_spec(loader)
        try:
            loader.loader.exec_module(module)
        except Exception as err:
            raise ScienceError(f"--feedback {spec}: {path} failed to run ({brief(err)}); fix the file") from None
        return module
    try:
        return importlib.import_module(where)
    except ImportError as err:
        raise ScienceError(f"--feedback {spec}: cannot import {where} ({brief(err)}); check the module name") from None


def load_predictor(spec: str) -> Callable[[list[str]], np.ndarray]:
    """The scoring function ``spec`` names (see the module doc): sequences (N strings)
    -> scores (N,) float64. ScienceError for a pickle, a missing file or name, or an
    object that cannot score."""
    if spec.lower().endswith(PICKLES):
        raise ScienceError(
            f"--feedback {spec}: scigan does not unpickle model files (loading one runs any code it "
            "holds); write a Python file that loads your model and pass file.py:name"
        )
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise ScienceError(f"--feedback {spec}: give module:function or path/to/file.py:function")
    target = getattr(_module(where, spec), name, None)
    if target is None:
        raise ScienceError(f"--feedback {spec}: {where} has no {name!r}")
    if hasattr(target, "predict_proba"):
        method = target.predict_proba

        def score(seqs: list[str]) -> np.ndarray:
            p = np.asarray(method(seqs), dtype=np.float64)
            return p[:, -1] if p.ndim == 2 else p

    elif hasattr(target, "predict"):
        method = target.predict

        def score(seqs: list[str]) -> np.ndarray:
            return np.asarray(method(seqs), dtype=np.float64)

    elif callable(target):

        def score(seqs: list[str]) -> np.ndarray:
            return np.asarray(target(seqs), dtype=np.float64)

    else:
        raise ScienceError(f"--feedback {spec}: {name} is not a function nor a model with predict or predict_proba")

    def checked(seqs: list[str]) -> np.ndarray:
        try:
            out = score(seqs)
        except Exception as err:
            raise ScienceError(f"--feedback {spec} failed on generated sequences ({brief(err)})") from None
        if out.shape != (len(seqs),) or not np.isfinite(out).all():
            raise ScienceError(
                f"--feedback {spec} must return one finite score per sequence; got shape {out.shape} for {len(seqs)}"
            )
        return out

    return checked
