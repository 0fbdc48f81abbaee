"""Is the assignment what the contract promises: a master that runs and trains, a
release with exactly four named stubs and nothing hidden, products in sync?"""

from __future__ import annotations

import re
import tempfile

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.build import out_of_sync
from autograder.build.samples import mutate, solved
from autograder.config import graded_tests
from tests.helpers import ASSIGNMENT, HANG_GUARD

PIECES = ("Dense.backward", "ReLU.backward", "softmax_cross_entropy_with_logits", "SGD.step")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"^\s*### BEGIN HIDDEN TESTS.*?^\s*### END HIDDEN TESTS\s*$\n?", re.M | re.S)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def code_lines(nb) -> set[str]:
    return {
        line.strip() for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
    }


def execute(nb, allow_errors: bool):
    nb = nbformat.from_dict(nb)
    with tempfile.TemporaryDirectory() as scratch:
        NotebookClient(
            nb,
            timeout=int(HANG_GUARD),  # per cell: only a hang reaches it, even under load
            kernel_name="python3",
            allow_errors=allow_errors,
            resources={"metadata": {"path": scratch}},
        ).execute()
    return nb


def errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def test_release_and_solutions_are_built_from_the_current_source(fresh_build):
    problems = out_of_sync(ASSIGNMENT, *fresh_build)
    assert not problems, (
        "release/, solutions/ or samples/ are out of date with source/: run "
        "`python -m autograder build` and commit the result\n" + "\n".join(problems)
    )


def test_solution_notebook_runs_cleanly_and_trains_to_the_minimum(fresh_build, config):
    nb = nbformat.read(fresh_build[1] / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert not [c.source[:60] for c in nb.cells if errors(c)]
    stderr = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    reached = float(re.search(r"Final mini-batch training accuracy: ([0-9.]+)", text).group(1))
    assert reached >= config.min_train_accuracy
    assert "This meets the minimum." in text


def test_notebook_minimum_accuracy_is_the_configured_one(master, config):
    source = "\n".join(c.source for c in master.cells)
    value = re.search(r"^MIN_TRAIN_ACCURACY = ([0-9.]+)$", source, re.M).group(1)
    assert float(value) == config.min_train_accuracy


def test_master_has_four_answer_cells_and_a_graded_cell_per_configured_test(master):
    answers = [c for c in master.cells if nbgrader_meta(c).get("solution")]
    assert len(answers) == 4
    assert sum(len(SOLUTION.findall(c.source)) for c in master.cells) == 4
    graded = {
        nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"]
        for c in master.cells
        if nbgrader_meta(c).get("grade") and nbgrader_meta(c)["points"]
    }
    assert graded == {t.id: t.points for t in graded_tests(ASSIGNMENT)}
    assert all(HIDDEN.search(c.source) for c in master.cells if nbgrader_meta(c).get("points"))
    visible_checks = [
        c for c in master.cells if nbgrader_meta(c).get("grade") and not nbgrader_meta(c)["points"]
    ]
    assert visible_checks and not [c for c in visible_checks if HIDDEN.search(c.source)]
    others = [c for c in master.cells if not nbgrader_meta(c).get("solution")]
    assert all(nbgrader_meta(c).get("locked") for c in others)


def test_release_has_exactly_four_stubs_each_naming_its_piece(release):
    stubs = [
        line.strip()
        for c in release.cells
        if c.cell_type == "code"
        for line in c.source.splitlines()
        if "raise NotImplementedError(" in line
    ]
    assert len(stubs) == 4
    for piece, stub in zip(PIECES, stubs, strict=True):
        assert f'NotImplementedError("{piece} is not implemented yet' in stub


def test_release_contains_no_solution_code_and_no_hidden_test(master, release):
    solution_lines = {
        line.strip()
        for c in master.cells
        for region in SOLUTION.findall(c.source)
        for line in region.splitlines()
        if line.strip()
    }
    hidden_lines = {
        line.strip()
        for c in master.cells
        for region in HIDDEN.findall(c.source)
        for line in region.splitlines()
        if line.strip()
    }
    given = code_lines(
        nbformat.from_dict(
            {
                **master,
                "cells": [
                    {**c, "source": HIDDEN.sub("", SOLUTION.sub("", c.source))}
                    for c in master.cells
                ],
            }
        )
    )
    leaked = ((solution_lines | hidden_lines) - given) & code_lines(release)
    assert solution_lines - given and not leaked
    text = nbformat.writes(release)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text


def test_release_runs_except_cells_that_need_a_stub(release):
    ran = execute(release, allow_errors=True)
    failed = [c for c in ran.cells if errors(c)]
    assert failed, "the stubs should stop the training cells"
    for cell in failed:
        error = errors(cell)[0]
        if nbgrader_meta(cell).get("grade"):  # a visible check, for Validate
            assert error.ename == "AssertionError"
        else:
            assert "needs-stub" in cell.metadata.get("tags", []), cell.source[:80]
            assert error.ename == "NotImplementedError"
        assert any(f"{piece} is not implemented yet" in error.evalue for piece in PIECES)
    checks = {nbgrader_meta(c)["grade_id"] for c in failed if nbgrader_meta(c).get("grade")}
    assert checks == {
        "dense-check",
        "relu-check",
        "softmax-check",
        "sgd-check",
        "network-check",
        "final-verdict",
    }
    assert not [c for c in failed if nbgrader_meta(c).get("points")]  # no graded test fails
    assert "NameError" not in nbformat.writes(ran)


def solved_with(master, release, edits: list[tuple[str, str]]):
    """The release with the master's answers, then each (old, new) edit applied."""
    return mutate(solved(release, master), "test", edits)


def through_the_checks(nb):
    """The notebook up to its last visible check before training (the checks' verdicts
    do not depend on the cells after them, which train for seconds)."""
    first_run = next(
        i for i, c in enumerate(nb.cells) if "needs-stub" in c.metadata.get("tags", [])
    )
    last_check = max(
        i
        for i, c in enumerate(nb.cells[:first_run])
        if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("points")
    )
    return nbformat.from_dict({**nb, "cells": nb.cells[: last_check + 1]})


def printed(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_a_transposed_dw_is_reported_where_it_is_made_and_training_says_it_did_not_run(
    master, release
):
    nb = solved_with(
        master, release, [("self.dW = self.x.T @ grad_out", "self.dW = grad_out.T @ self.x")]
    )
    ran = execute(nb, allow_errors=True)
    text = nbformat.writes(ran)
    assert "NameError" not in text
    training = [c for c in ran.cells if errors(c) and "needs-stub" in c.metadata.get("tags", [])]
    assert training and all(errors(c)[0].ename == "ValueError" for c in training)
    assert "layer 5 (Dense): backward stored dW with shape (2, 64), but W has shape (64, 2)" in (
        errors(training[0])[0].evalue
    )
    plots = [
        c
        for c in ran.cells
        if nbgrader_meta(c).get("grade_id")
        in ("plot-curves", "plot-decision-boundary", "heldout-accuracy")
    ]
    for cell in plots:
        assert not errors(cell) and not [o for o in cell.outputs if o.output_type != "stream"]
        assert "Training did not run: the mini-batch run stopped with ValueError" in printed(
            nbformat.from_dict({"cells": [cell]})
        )
    verdict = next(c for c in ran.cells if nbgrader_meta(c).get("grade_id") == "final-verdict")
    assert "Training did not run" in errors(verdict)[0].evalue
    assert "a transposed dW" in printed(ran)


@pytest.mark.parametrize(
    ("edits", "named"),
    [
        (
            [("return grad_out * self.mask", "return grad_out * (grad_out > 0)")],
            "a mask taken from the upstream gradient",
        ),
        (
            [("return grad_out * self.mask", "return self.mask.astype(float)")],
            "returning the 0/1 mask itself",
        ),
        ([("return grad_out * self.mask", "return grad_out * ~self.mask")], "an inverted mask"),
        ([("    dlogits /= N\n", "")], "a missing 1/N"),
        (
            [("self.db = grad_out.sum(axis=0)", "self.db = grad_out.mean(axis=0)")],
            "averaging grad_out over the batch",
        ),
        (
            [
                (
                    "p -= self.lr * (g + self.weight_decay * p)",
                    "g += self.weight_decay * p\n            p -= self.lr * g",
                )
            ],
            "the step changed the stored gradients of W of layer 1 (Dense)",
        ),
        (
            [
                (
                    "p -= self.lr * (g + self.weight_decay * p)",
                    "p -= self.lr * (g - self.weight_decay * p)",
                )
            ],
            "weight decay with the wrong sign",
        ),
        (
            [
                (
                    "p -= self.lr * (g + self.weight_decay * p)",
                    "p -= self.lr * g + self.weight_decay * p",
                )
            ],
            "weight decay not multiplied by the learning rate",
        ),
        (
            [
                (
                    "p -= self.lr * (g + self.weight_decay * p)",
                    "p = p - self.lr * (g + self.weight_decay * p)",
                )
            ],
            "no change at all",
        ),
    ],
)
def test_visible_checks_name_the_mistake_and_fail_for_validate(master, release, edits, named):
    ran = execute(through_the_checks(solved_with(master, release, edits)), allow_errors=True)
    text = printed(ran)
    assert named in text
    assert "[PASS] the model's own parameter arrays" not in text  # no PASS after a FAIL
    checks = [
        c for c in ran.cells if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("points")
    ]
    assert any(errors(c) and errors(c)[0].ename == "AssertionError" for c in checks)


def test_a_wrong_factor_is_named_as_n_or_its_inverse(master, release):
    ran = execute(
        through_the_checks(
            solved_with(
                master,
                release,
                [("return grad_out @ self.W.T", "return grad_out @ self.W.T / len(grad_out)")],
            )
        ),
        allow_errors=True,
    )
    assert "0.25 = 1/N with N = 4" in printed(ran)


def test_headings_are_unique(master):
    headings = [
        line.strip()
        for c in master.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("#")
    ]
    assert len(headings) == len(set(headings)), sorted(h for h in headings if headings.count(h) > 1)


@pytest.mark.parametrize("tag", ["module", "needs-stub"])
def test_tags_mark_code_cells_only(master, tag):
    tagged = [c for c in master.cells if tag in c.metadata.get("tags", [])]
    assert tagged and all(c.cell_type == "code" for c in tagged)
