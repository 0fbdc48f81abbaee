"""The one schema of results.json (Gradescope's autograder format), for readers and tests.

``results.schema.json`` holds the fields Gradescope documents and rejects any other, so a
typo cannot pass. ``grade`` writes one more top-level field, ``max_score`` (Gradescope's
upload moves it into ``extra_data``); a reader of ``grade``'s folders allows it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
KIT_FIELDS = ("max_score",)  # top-level fields of grade's results.json beyond Gradescope's


@cache
def results_schema() -> dict[str, Any]:
    """The JSON schema of a results.json, as Gradescope reads it."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_problem(results: Any, kit_fields: bool = True) -> str | None:
    """Why ``results`` does not follow the schema (the first reason), or None.

    ``kit_fields``: allow the top-level fields ``grade`` adds (``KIT_FIELDS``).
    """
    if kit_fields and isinstance(results, dict):
        results = {key: value for key, value in results.items() if key not in KIT_FIELDS}
    validator = jsonschema.Draft202012Validator(results_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(results))
    if error is None:
        return None
    where = "".join(f"[{part!r}]" for part in error.absolute_path)
    return f"{where or 'the file'}: {error.message}"
