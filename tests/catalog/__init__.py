"""A catalog of submissions and the verdicts the hidden checks must give them.

``ENTRIES`` lists every entry: correct implementations in other styles (no test fails),
realistic buggy ones (named after the mistake; exactly their piece's tests fail, plus
training_accuracy where the bug breaks training, each with the expected diagnosis) and
the untouched release stubs. ``tests/test_catalog.py`` runs them in-process; the same
registry can be graded through the sandboxed CLI.
"""

from __future__ import annotations

from tests.catalog.buggy_layers import DENSE_BUGS, RELU_BUGS
from tests.catalog.buggy_loss_sgd import FORGERIES, SGD_BUGS, SOFTMAX_BUGS
from tests.catalog.correct import CORRECT
from tests.catalog.sources import ALL_TESTS, REFERENCE, Entry, untouched_stubs

BUGGY: list[Entry] = [*DENSE_BUGS, *RELU_BUGS, *SOFTMAX_BUGS, *SGD_BUGS]
STUBS: Entry = untouched_stubs()
ENTRIES: list[Entry] = [Entry("reference", REFERENCE), *CORRECT, *BUGGY, *FORGERIES, STUBS]

__all__ = ["ALL_TESTS", "BUGGY", "CORRECT", "ENTRIES", "FORGERIES", "STUBS", "Entry"]
