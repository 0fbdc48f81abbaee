"""matplotlib on demand: importing it is free, using it loads it.

Every notebook starts with ``import matplotlib.pyplot as plt``, but grading runs only
definition cells, which rarely draw. Loading pyplot costs about 0.3 s of CPU, more than
grading the rest of a notebook, so the sandbox puts stand-ins for ``matplotlib`` and
``matplotlib.pyplot`` in ``sys.modules``: the import statement binds them, and the first
attribute a cell really uses imports the real modules (headless, ``show()`` a no-op) and
hands over to them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

PACKAGE, PYPLOT = "matplotlib", "matplotlib.pyplot"


class _StandIn(types.ModuleType):
    """A module whose first real use imports the module it stands for."""

    def __getattr__(self, name: str) -> Any:
        return getattr(load_real(self.__name__), name)

    def __dir__(self) -> list[str]:
        return dir(load_real(self.__name__))


def install() -> None:
    """Put the stand-ins in ``sys.modules`` (before any student code runs)."""
    if PACKAGE in sys.modules:
        return
    package, pyplot = _StandIn(PACKAGE), _StandIn(PYPLOT)
    package.__path__ = []  # a package, as far as the import statement asks
    package.pyplot = pyplot  # type: ignore[attr-defined]
    sys.modules[PACKAGE], sys.modules[PYPLOT] = package, pyplot


def load_real(name: str) -> types.ModuleType:
    """Import the real ``name`` (once), replacing both stand-ins."""
    if not isinstance(sys.modules.get(name), _StandIn):
        return sys.modules[name]
    for stand_in in (PACKAGE, PYPLOT):
        if isinstance(sys.modules.get(stand_in), _StandIn):
            del sys.modules[stand_in]
    pyplot = importlib.import_module(PYPLOT)
    pyplot.switch_backend("Agg")
    pyplot.show = _show_nothing  # type: ignore[attr-defined]  # headless
    return sys.modules[name]


def loaded_pyplot() -> types.ModuleType | None:
    """The real pyplot if a cell has used it, else None."""
    module = sys.modules.get(PYPLOT)
    return None if module is None or isinstance(module, _StandIn) else module


def _show_nothing(*args: Any, **kwargs: Any) -> None:
    """plt.show() in the sandbox: there is no screen."""
