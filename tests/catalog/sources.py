"""Catalog entries: the solution module with one method or function replaced.

An entry is Python source defining the full student API, plus what the checks must say
about it: ``fails`` maps each test id that must fail to the diagnosis it must carry
(``None``: fails with no named mistake). Every test id not in ``fails`` must pass, except
those in ``unpinned``: tests whose verdict depends on luck (a bug that makes training
chaotic passes on some training seeds and fails on others), left unasserted.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

# The instructor's solution module, generated from the master notebook: the correct
# submission every entry edits, so the catalog follows the notebook's code.
REFERENCE = (
    Path(__file__).resolve().parents[2] / "solutions" / "mlp_backprop" / "mlp_backprop.py"
).read_text()

DENSE = ("dense_backward_dx", "dense_backward_dw", "dense_backward_db")
SOFTMAX = ("softmax_loss_value", "softmax_dlogits", "softmax_large_logits")
SGD = ("sgd_step_plain", "sgd_step_weight_decay", "sgd_step_in_place")
ALL_TESTS = (*DENSE, "relu_backward_dx", *SOFTMAX, *SGD, "training_accuracy")


@dataclass(frozen=True)
class Entry:
    """A submission and the verdicts it must get."""

    name: str
    source: str
    fails: dict[str, str | None] = field(default_factory=dict)
    note: str = ""
    unpinned: tuple[str, ...] = ()


def find_def(tree: ast.Module, qualname: str) -> ast.FunctionDef:
    """The def of ``"function"`` or ``"Class.method"`` in ``tree``."""
    scope: list[ast.stmt] = tree.body
    *classes, name = qualname.split(".")
    for cls in classes:
        scope = next(n for n in scope if isinstance(n, ast.ClassDef) and n.name == cls).body
    found = [n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(found) != 1:
        raise LookupError(f"solution module: no single def {qualname}")
    return found[0]


def replace_def(source: str, qualname: str, code: str) -> str:
    """``source`` with the def ``qualname`` replaced by ``code`` (a whole def, any indent)."""
    node = find_def(ast.parse(source), qualname)
    lines = source.splitlines(keepends=True)
    new = textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", " " * node.col_offset)
    return "".join(lines[: node.lineno - 1]) + new + "".join(lines[node.end_lineno :])


def variant(
    name: str,
    defs: dict[str, str],
    fails: dict[str, str | None],
    note: str = "",
    unpinned: tuple[str, ...] = (),
) -> Entry:
    """The reference with each def in ``defs`` ("Class.method": code) replaced."""
    source = REFERENCE
    for qualname, code in defs.items():
        source = replace_def(source, qualname, code)
    compile(source, name, "exec")
    return Entry(name, source, fails, note, unpinned)


def failing(tests: tuple[str, ...] | list[str], diagnosis: str | None) -> dict[str, str | None]:
    """Every test in ``tests`` failing with ``diagnosis``."""
    return dict.fromkeys(tests, diagnosis)


STUB = "raise NotImplementedError()"


def untouched_stubs() -> Entry:
    """The release notebook as handed out: the four graded pieces raise NotImplementedError."""
    return variant(
        "untouched_stubs",
        {
            "Dense.backward": f"def backward(self, grad_out):\n    {STUB}",
            "ReLU.backward": f"def backward(self, grad_out):\n    {STUB}",
            "softmax_cross_entropy_with_logits": (
                f"def softmax_cross_entropy_with_logits(logits, y):\n    {STUB}"
            ),
            "SGD.step": f"def step(self, model):\n    {STUB}",
        },
        failing(ALL_TESTS, "not implemented"),
    )
