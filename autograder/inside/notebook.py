"""What a notebook cell sees when it runs in the sandbox, and how its errors read.

Cells run in the `__dict__` of a fresh `__main__` module that offers `get_ipython()` (a
stub whose magics and shell calls do nothing) and `display()`. Each cell is compiled as
`<cell N>` and its source is registered in linecache, so a traceback shows the student's
own lines; `student_traceback` keeps only those frames (in a fork of nbgrader's kernel,
where cells are files of IPython's, it keeps every frame `outside_kit`).
"""

from __future__ import annotations

import builtins
import linecache
import re
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

CELL_PREFIX = "<cell "
CELL_LABEL = re.compile(re.escape(CELL_PREFIX) + r"(\d+)>")  # matches what cell_filename makes


class IPythonStub:
    """Stands in for the IPython shell: magics and shell escapes are harmless no-ops."""

    def run_line_magic(self, name: str, line: str, *args: Any, **kwargs: Any) -> None:
        return None

    def run_cell_magic(self, name: str, line: str, cell: str, *args: Any, **kwargs: Any) -> None:
        return None

    def magic(self, line: str) -> None:
        return None

    def system(self, command: str) -> None:
        return None

    def getoutput(self, command: str, *args: Any, **kwargs: Any) -> str:
        return ""


_SHELL = IPythonStub()


def get_ipython() -> IPythonStub:
    """The notebook's shell (a stub: the sandbox runs no IPython kernel)."""
    return _SHELL


def display(*objects: Any, **kwargs: Any) -> None:
    """Plain-text stand-in for IPython's display(): prints each object's repr."""
    for obj in objects:
        print(repr(obj))


def exit(code: object = None) -> None:
    """exit() and quit() as a kernel offers them (the sandbox's Python starts without site)."""
    raise SystemExit(code)


def new_main_module() -> types.ModuleType:
    """A fresh `__main__` for the notebook, installed in sys.modules; cells use its dict."""
    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=builtins, get_ipython=get_ipython, display=display)
    for name in ("exit", "quit"):
        if not hasattr(builtins, name):
            setattr(builtins, name, exit)
    sys.modules["__main__"] = main
    return main


def cell_filename(index: int) -> str:
    """The traceback label of the cell at 1-based `index`."""
    return f"{CELL_PREFIX}{index}>"


def compile_cell(source: str, index: int) -> types.CodeType:
    """Compile one cell as `<cell N>` with its lines available to tracebacks."""
    filename = cell_filename(index)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec", dont_inherit=True)


def in_cell(filename: str) -> bool:
    """Whether a frame's file is a notebook cell compiled here (`<cell N>`)."""
    return filename.startswith(CELL_PREFIX)


def outside_kit(filename: str) -> bool:
    """Whether a frame's file is neither the kit, an installed library nor frozen stdlib."""
    return not (
        "/autograder/" in filename or "site-packages" in filename or filename.startswith("<frozen")
    )


def student_traceback(exc: BaseException, is_student: Callable[[str], bool] = in_cell) -> str:
    """The traceback text of `exc` restricted to the frames whose file `is_student`.

    Harness and library frames are dropped; the exception line itself is always kept,
    so an error raised with no student frame on the stack still says what went wrong.
    """
    report = traceback.TracebackException.from_exception(exc)
    _keep_student_frames(report, is_student, set())
    return "".join(report.format())


def _keep_student_frames(
    report: traceback.TracebackException, is_student: Callable[[str], bool], seen: set[int]
) -> None:
    if id(report) in seen:
        return
    seen.add(id(report))
    frames = [frame for frame in report.stack if is_student(frame.filename)]
    report.stack = traceback.StackSummary.from_list(frames)
    for linked in (report.__cause__, report.__context__):
        if linked is not None:
            _keep_student_frames(linked, is_student, seen)
