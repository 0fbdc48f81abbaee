"""The one configuration file of the course: nbgrader's settings and the kit's.

Everything here is data. Importing this module has no side effects; nbgrader picks the
settings up through ``nbgrader_config.py``, which only calls :func:`apply_to_nbgrader`.
The kit reads the same values through ``autograder.config``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal, get_args

LatePolicy = Literal["none", "zero", "per_hour", "per_day"]


def setting(default: Any, help: str) -> Any:
    """A typed config field with a default value and a description."""
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: default.copy(), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TestSpec:
    """One graded test: its id is its nbgrader grade_id, pytest name and CSV column."""

    __test__ = False  # not a pytest test class

    id: str
    piece: str
    title: str
    points: float


TESTS: dict[str, tuple[TestSpec, ...]] = {
    "mlp_backprop": (
        TestSpec("dense_backward_dx", "Dense.backward", "gradient dL/dx", 10),
        TestSpec("dense_backward_dw", "Dense.backward", "gradient dL/dW", 10),
        TestSpec("dense_backward_db", "Dense.backward", "gradient dL/db", 10),
        TestSpec("relu_backward_dx", "ReLU.backward", "gradient dL/dx", 15),
        TestSpec("softmax_loss_value", "softmax_cross_entropy_with_logits", "loss value", 5),
        TestSpec("softmax_dlogits", "softmax_cross_entropy_with_logits", "gradient dL/dlogits", 10),
        TestSpec(
            "softmax_large_logits",
            "softmax_cross_entropy_with_logits",
            "large logits stay finite",
            5,
        ),
        TestSpec("sgd_step_plain", "SGD.step", "one step without weight decay", 5),
        TestSpec("sgd_step_weight_decay", "SGD.step", "one step with weight decay", 5),
        TestSpec("sgd_step_in_place", "SGD.step", "parameters updated in place", 5),
        TestSpec(
            "training_accuracy", "Training", "hidden dataset reaches the minimum accuracy", 20
        ),
    ),
}


@dataclass(frozen=True)
class CourseConfig:
    """Settings of the course and of the kit, with their defaults."""

    course_id: str = setting("backprop101", "nbgrader course id.")
    assignment: str = setting("mlp_backprop", "The assignment graded by default.")
    min_train_accuracy: float = setting(
        0.95, "Minimum final training accuracy of the mini-batch run (notebook and hidden check)."
    )
    fd_step: float = setting(1e-6, "Step h of the central differences, in float64.")
    grad_rtol: float = setting(1e-5, "Largest relative error a gradient may have.")
    value_rtol: float = setting(1e-7, "Largest relative error of exact values (loss, SGD step).")
    seed: int = setting(20261127, "Root seed of every hidden input; never shown to students.")
    training_seed: int = setting(7331, "Seed of the hidden training dataset and initial weights.")
    cell_timeout: float = setting(30.0, "Seconds one notebook cell may run when grading.")
    probe_timeout: float = setting(10.0, "Seconds one hidden check may run student code.")
    training_timeout: float = setting(20.0, "Seconds the hidden training run may take.")
    memory_limit_mb: int = setting(1024, "Memory cap of one sandboxed submission, MiB.")
    submission_timeout: float = setting(
        120.0, "Seconds one submission may take in all, every cell and probe together."
    )
    max_processes: int = setting(64, "Processes one sandboxed submission may run at once.")
    scratch_mb: int = setting(128, "Size of a sandbox's private temporary folder, MiB.")
    isolation: str = setting(
        "auto",
        "Isolation of student code: auto (the best available), namespaces (bubblewrap) or "
        "landlock (the fallback where namespaces are refused). Grading without any needs "
        "the CLI's --unsafe-no-isolation.",
    )
    sandbox_uid: int = setting(
        61000, "First of the dedicated uids sandboxes run as when the grader is root (2 per job)."
    )
    jobs: int = setting(2, "Submissions graded at once by default.")
    feedback_chars: int = setting(4000, "Longest output or traceback kept per test in feedback.")
    due_date: str = setting(
        "",
        "Due date, ISO-8601 (2026-12-01T17:00:00+00:00; no zone means UTC). Empty: the "
        "due date in nbgrader's gradebook, if any. `grade --due` overrides it.",
    )
    late_policy: LatePolicy = setting(
        "none",
        "Late work: 'none' (lateness shown, not charged), 'zero' (a late submission scores "
        "0), 'per_hour' or 'per_day' (late_penalty points per started hour or day late).",
    )
    late_penalty: float = setting(0.0, "Points taken per started hour or day late.")
    late_penalty_cap: float = setting(
        100.0, "Most points a late penalty may take (a score never goes below 0)."
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, type(f.default)) and not (
                isinstance(value, int) and isinstance(f.default, float)
            ):
                raise TypeError(f"course_config: {f.name} must be {type(f.default).__name__}")
        positive = (
            "fd_step",
            "grad_rtol",
            "value_rtol",
            "cell_timeout",
            "probe_timeout",
            "training_timeout",
            "memory_limit_mb",
            "submission_timeout",
            "max_processes",
            "scratch_mb",
            "sandbox_uid",
            "jobs",
            "feedback_chars",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"course_config: {name} must be positive")
        if max(self.probe_timeout, self.training_timeout) >= self.cell_timeout:
            raise ValueError(
                "course_config: probe_timeout and training_timeout must be below cell_timeout "
                "(nbgrader's hidden test cells run the probes within one cell)"
            )
        if self.isolation not in ("auto", "namespaces", "landlock"):
            raise ValueError("course_config: isolation must be auto, namespaces or landlock")
        if self.submission_timeout < self.cell_timeout:
            raise ValueError("course_config: submission_timeout must be at least cell_timeout")
        if not 0.0 < self.min_train_accuracy <= 1.0:
            raise ValueError("course_config: min_train_accuracy must be in (0, 1]")
        self._check_late_work()

    def _check_late_work(self) -> None:
        if self.due_date:
            try:
                datetime.fromisoformat(self.due_date)
            except ValueError:
                raise ValueError(
                    f"course_config: due_date {self.due_date!r} is not ISO-8601 "
                    "(e.g. 2026-12-01T17:00:00+00:00)"
                ) from None
        if self.late_policy not in get_args(LatePolicy):
            raise ValueError(
                f"course_config: late_policy must be one of {', '.join(get_args(LatePolicy))}"
            )
        if self.late_penalty < 0 or self.late_penalty_cap < 0:
            raise ValueError("course_config: late_penalty and late_penalty_cap must be >= 0")


CONFIG = CourseConfig()


def apply_to_nbgrader(c: Any, config: CourseConfig = CONFIG) -> None:
    """Write the nbgrader settings into nbgrader's traitlets config object ``c``."""
    c.CourseDirectory.course_id = config.course_id
    c.Execute.timeout = int(config.cell_timeout)
    c.Execute.interrupt_on_timeout = True
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.GenerateAssignment.preprocessors = generate_assignment_steps()
    c.GenerateFeedback.preprocessors = generate_feedback_steps()
    c.ExportApp.plugin_class = "autograder.nbgrader_ext.export.PerTestCsvExport"
    put_kit_on_kernel_path()
    offline_math(c)


def offline_math(c: Any) -> None:
    """Feedback pages (and any nbconvert HTML) carry their own MathJax: math renders offline."""
    from autograder.offline_math import apply_to_nbconvert

    apply_to_nbconvert(c)


def put_kit_on_kernel_path() -> None:
    """Let the kernels nbgrader starts import ``autograder`` (hidden test cells call it),
    and nothing else of the course: the path holds one link, to the package, so neither
    ``solutions`` nor ``course_config`` is importable from a student's kernel.

    Kernels inherit nbgrader's environment; this runs only inside nbgrader's process.
    """
    root = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(root, ".kernel_path")
    link = os.path.join(folder, "autograder")
    os.makedirs(folder, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(os.path.join(root, "autograder"), link)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    if folder not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([folder, *paths])
    os.environ.setdefault("AUTOGRADER_COURSE", root)  # the course the hidden checks read


def generate_assignment_steps() -> list:
    """nbgrader's generate_assignment pipeline with the kit's ``NameStubs`` step.

    ``NameStubs`` must run right after ``ClearSolutions`` (it rewrites the stubs that
    step writes) and before ``ComputeChecksums`` (checksums must cover the final stub).
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    from autograder.nbgrader_ext.stubs import NameStubs

    steps = list(GenerateAssignment.preprocessors.default())
    steps.insert(steps.index(ClearSolutions) + 1, NameStubs)
    return steps


def generate_feedback_steps() -> list:
    """nbgrader's generate_feedback pipeline with the kit's ``ScrubTestCells`` step.

    ``ScrubTestCells`` must run after ``GetGrades`` (which reads scores from outputs) and
    before the HTML export, so no hidden test code reaches a student.
    """
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import GetGrades

    from autograder.nbgrader_ext.feedback import ScrubTestCells

    steps = list(GenerateFeedback.preprocessors.default())
    steps.insert(steps.index(GetGrades) + 1, ScrubTestCells)
    return steps
