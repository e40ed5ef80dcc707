"""Old module paths of the flat layout, kept importable after the move to two layers.

Before the two-layer layout the package had twenty modules side by side (``synutil.experiments``, ``synutil.simulate``,
``synutil._bounds_regression``, ...). They now live in the toolkit layer (``synutil.fidelity``,
``synutil.tables``, ``synutil.evaluation``) or in the lab layer (``synutil.bounds``, ``synutil.sim``). Code
written against the old paths keeps working: ``import synutil.experiments`` returns the module
:mod:`synutil.sim.runner` itself (so ``monkeypatch`` and ``isinstance`` behave), and a public old path emits a
:class:`DeprecationWarning` naming the new one. The aliases will be removed in a later release.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

# old dotted name -> new dotted name
MOVED = {
    "synutil._bounds_regression": "synutil.bounds.regression",
    "synutil._bounds_rates": "synutil.bounds.rates",
    "synutil._bounds_ranking": "synutil.bounds.ranking",
    "synutil._quadrature": "synutil.bounds.quadrature",
    "synutil.simulate": "synutil.sim.laws",
    "synutil.least_squares": "synutil.sim.least_squares",
    "synutil.knn": "synutil.sim.knn",
    "synutil.learners": "synutil.sim.learners",
    "synutil.experiments": "synutil.sim.runner",
    "synutil._cache": "synutil.sim._cache",
    "synutil.torch_models": "synutil.sim.torch_models",
    "synutil.selfconsuming": "synutil.sim.selfconsuming",
    "synutil.fidelity_classes": "synutil.fidelity.classes",
    "synutil._mmd": "synutil.fidelity.mmd",
    "synutil._table_schema": "synutil.tables.schema",
    "synutil._table_encoder": "synutil.tables.encoder",
    "synutil._evaluate_losses": "synutil.evaluation.losses",
    "synutil._evaluate_models": "synutil.evaluation.models",
    "synutil._evaluate_result": "synutil.evaluation.result",
    "synutil.report": "synutil.evaluation.report",
    "synutil.cli": "synutil.evaluation.cli",
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, new_name: str):
        self.new_name = new_name

    def create_module(self, spec):
        module = importlib.import_module(self.new_name)
        self.original_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The module is the new one, already executed: importing it under the old name must not rerun it.
        # The import system has stamped the alias spec on it; give the module its own spec back.
        module.__spec__ = self.original_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        new_name = MOVED.get(fullname)
        if new_name is None:
            return None
        if not fullname.rsplit(".", 1)[-1].startswith("_"):
            warnings.warn(f"{fullname} moved to {new_name}; import it from there (the old path will be removed "
                          "in a later release)", DeprecationWarning, stacklevel=2)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(new_name))


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(_AliasFinder())
