"""The kit view: the only part of the kit a sandbox can see.

A folder laid out like the repository, holding ``autograder/inside`` (the code that runs
next to student code) and the probe modules the requests name, with empty package
``__init__`` files: never the checks, the cases, the config, the solutions or the rest of
the package. The grading process builds it once per pool, read-only for the sandboxes.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from autograder.paths import REPO_ROOT
from autograder.sandbox.isolation import shared_temp
from autograder.sandbox.models import SandboxError

INSIDE = REPO_ROOT / "autograder" / "inside"


def probe_modules(functions: Iterable[str]) -> list[str]:
    """The modules of probe functions named ``"package.module:function"``, sorted."""
    return sorted({function.partition(":")[0] for function in functions})


def build(modules: Iterable[str]) -> Path:
    """A fresh kit view with ``autograder.inside`` and ``modules``; the caller removes it."""
    root = Path(tempfile.mkdtemp(prefix="autograder-kit-view-", dir=shared_temp()))
    try:
        _copy_module_files(root, "autograder.inside", sorted(INSIDE.glob("*.py")))
        for module in modules:
            _copy_module_files(root, module, [_source_of(module)])
        for folder, _, files in os.walk(root):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


def _source_of(module: str) -> Path:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise SandboxError(f"cannot find probe module {module!r}: {exc}") from None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise SandboxError(f"probe module {module!r} is not a Python source file")
    return Path(spec.origin)


def _copy_module_files(root: Path, module: str, files: list[Path]) -> None:
    """Copy ``files`` into the folder of ``module`` (a package for autograder.inside)."""
    parts = module.split(".")
    package_parts = parts if module == "autograder.inside" else parts[:-1]
    folder = root
    for part in package_parts:
        folder = folder / part
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").touch()
    for source in files:
        name = source.name if module == "autograder.inside" else f"{parts[-1]}.py"
        shutil.copyfile(source, folder / name)
