"""Is every mistake the hidden checks can name carried by a catalog entry, and does each
entry get exactly the words it got before?

The named diagnoses are read from the checks' source (every ``Mistake(name, ...)`` and
every ``CheckFailed(message, diagnosis)``), so a new one without a catalog entry fails
here. The messages (and revealed details) of every failed test of every entry are pinned
in ``tests/catalog/messages.json``, a golden copy: after an intended change of wording,
refresh it with ``pytest tests/test_catalog_messages.py --update-golden`` and review the
diff.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from autograder.paths import checks_dir
from tests.catalog import BUGGY, FORGERIES
from tests.helpers import ASSIGNMENT

GOLDEN = Path(__file__).parent / "catalog" / "messages.json"


def naming_calls() -> list[tuple[str, ast.expr | None]]:
    """(file:line, the name argument) of every Mistake(...) and CheckFailed(...) call
    that names a diagnosis in the assignment's checks."""
    found = []
    for path in sorted(checks_dir(ASSIGNMENT).glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = {"Mistake": 0, "CheckFailed": 1}.get(node.func.id)
            keyword = {"Mistake": "name", "CheckFailed": "diagnosis"}.get(node.func.id)
            if position is None:
                continue
            given = [k.value for k in node.keywords if k.arg == keyword]
            arg = node.args[position] if len(node.args) > position else next(iter(given), None)
            if arg is not None:
                found.append((f"{path.name}:{node.lineno}", arg))
    return found


def named_diagnoses() -> dict[str, str]:
    """Every diagnosis the checks can name -> where it is first named."""
    named: dict[str, str] = {}
    for where, arg in naming_calls():
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            named.setdefault(arg.value, where)
    return named


def listable(arg: ast.expr) -> bool:
    """A literal name (or None), or the name of a recognised ``Mistake`` (``known.name``),
    which is listed where that Mistake is made."""
    if isinstance(arg, ast.Attribute):
        return arg.attr == "name"
    return isinstance(arg, ast.Constant) and isinstance(arg.value, (str, type(None)))


def test_every_diagnosis_is_named_by_a_literal_so_it_can_be_listed():
    assert [where for where, arg in naming_calls() if not listable(arg)] == []


def test_the_listing_finds_the_known_mistakes():
    named = named_diagnoses()
    assert len(named) >= 30
    assert {
        "transposed dW",
        "extra factor N",
        "step applied twice",
        "loss sign flipped",
        "stale cache",
        "accuracy too low",
    } <= set(named)


def test_every_named_diagnosis_has_a_catalog_entry():
    carried = {d for entry in [*BUGGY, *FORGERIES] for d in entry.fails.values()}
    missing = {d: where for d, where in named_diagnoses().items() if d not in carried}
    assert missing == {}, "add a catalog entry (tests/catalog/) for each"


def pinned(verdicts) -> dict[str, dict[str, dict[str, str | None]]]:
    """Entry -> failed test -> its diagnosis, message and details."""
    return {
        name: {
            test: {"diagnosis": v.diagnosis, "message": v.message, "details": v.details}
            for test, v in sorted(got.items())
            if not v.passed
        }
        for name, got in sorted(verdicts.items())
    }


def test_every_message_is_the_pinned_one(verdicts, request):
    got = pinned(verdicts)
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"rewrote {GOLDEN}")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), "entries added or removed: run with --update-golden"
    for name in want:
        assert got[name] == want[name], name
