"""The benchmark's figures, and the lines it prints about them and the machine."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

from cohort import MISTAKES

from autograder.config import course_config

TARGETS = {1: 5.0, 2: 9.0}  # nbgrader / kit per honest submission, by --jobs
OTHERS_WARNING = 0.2  # CPUs of other work, on average, above which the figures are doubtful
ENV_NOTES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def score(row: dict[str, str] | None) -> str:
    return f"{float(row['score']):g}/{float(row['max_score']):g}" if row else "-"


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return (
        f"{date.today()}, {platform.system()} {platform.machine()}, {cpu}, "
        f"nproc {len(os.sched_getaffinity(0))}, Python {platform.python_version()}, "
        f"numpy {version('numpy')}, nbgrader {version('nbgrader')}"
    )


def environment_note() -> str:
    found = [f"{name}={os.environ[name]}" for name in ENV_NOTES if name in os.environ]
    return f"environment: {', '.join(found)} (left as set)" if found else "environment: clean"


def cpu_seconds() -> tuple[float, float]:
    """Busy CPU seconds since boot of the whole machine (steal included), and of this
    process with its waited-for children."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    t = os.times()
    return busy, t.user + t.system + t.children_user + t.children_system


def others_cpu(before: tuple[float, float]) -> float:
    """CPU seconds that processes other than this one and its children took since
    ``before`` (a :func:`cpu_seconds` reading)."""
    after = cpu_seconds()
    return max(0.0, (after[0] - before[0]) - (after[1] - before[1]))


def others_line(before: tuple[float, float], wall: float, disturbed: list[str]) -> str:
    """How much CPU other work took during the run: the machine may be shared."""
    others = others_cpu(before)
    line = (
        f"other processes: {others:.0f} CPU-s during the run ({others / wall:.2f} CPUs on average)"
    )
    if disturbed:
        line += (
            "\nWARNING: other work ran during these measurements; their seconds are inflated "
            f"and the ratios less sure: {', '.join(disturbed)}"
        )
    return line


def cohort_line(honest: list[tuple[str, str]]) -> str:
    counts = {"correct": 0, "mistake": 0, "stubs": 0}
    for _, sample in honest:
        counts["mistake" if sample in MISTAKES else sample] += 1
    return (
        f"cohort: N={len(honest) + 1} = {len(honest)} honest ({counts['correct']} correct, "
        f"{counts['mistake']} with one of 4 mistakes, {counts['stubs']} stubs) + 1 hang"
    )


def target_verdict(ratio: float, jobs: int) -> str:
    if jobs not in TARGETS:
        return ""
    return f"  target {TARGETS[jobs]:g}x: {'met' if ratio >= TARGETS[jobs] else 'MISSED'}"


ISOLATION_TARGET = 0.15  # isolation may cost at most this much per honest submission


def speed_table(kit: dict[tuple[int, bool], Cost], nbgrader: Cost) -> list[str]:
    """Seconds per call and per honest submission of each tool, and nbgrader / kit."""
    header = f"{'1 sub':>8}{f'{nbgrader.n} subs':>9}{'per call':>10}{'per sub':>9}{'total/N':>9}"
    lines = [f"{'':27}{header}{'nbg/kit per sub':>17}{'nbg/kit total/N':>17}"]
    tools = [
        *(
            (f"kit --jobs {j}{' unsafe' if u else ''}", c, 0 if u else j)
            for (j, u), c in kit.items()
        ),
        ("nbgrader autograde", nbgrader, 0),
    ]
    for label, cost, jobs in tools:
        if cost.per_submission <= 0:  # noise larger than the work: too few submissions
            ratio, shown = 0.0, f"{'-':>17}"
        else:
            ratio = nbgrader.per_submission / cost.per_submission
            shown = f"{ratio:16.1f}x"
        lines.append(
            f"{label:27}{cost.one:7.2f}s{cost.total:8.2f}s{cost.per_call:9.2f}s"
            f"{cost.per_submission:8.3f}s{cost.plain:8.3f}s{shown}"
            f"{nbgrader.plain / cost.plain:16.1f}x{target_verdict(ratio, jobs)}"
        )
    return lines


def isolation_lines(kit: dict[tuple[int, bool], Cost]) -> list[str]:
    """What sandboxing costs per honest submission against --unsafe-no-isolation."""
    lines = []
    for jobs in (1, 2):
        safe, unsafe = kit[(jobs, False)], kit[(jobs, True)]
        if unsafe.per_submission <= 0:
            continue
        extra = safe.per_submission / unsafe.per_submission - 1
        verdict = "met" if extra <= ISOLATION_TARGET else "MISSED"
        lines.append(
            f"isolation at --jobs {jobs}: {safe.per_submission:.3f}s against "
            f"{unsafe.per_submission:.3f}s unsafe per submission, {100 * extra:+.1f}% "
            f"(target at most {100 * ISOLATION_TARGET:.0f}%: {verdict})"
        )
    return lines


@dataclass(frozen=True)
class Hang:
    """One tool's wall clock on the hang alone, its fixed cost per call, and its grades."""

    tool: str
    seconds: float
    per_call: float
    row: dict[str, str] | None

    def line(self) -> str:
        extra = self.seconds - self.per_call
        return (
            f"  {self.tool:18}{self.seconds:7.2f}s = per call + {extra:5.2f}s; "
            f"score {score(self.row)}"
        )


def hang_lines(kit: Hang, nbgrader: Hang | None) -> list[str]:
    config = course_config()
    lines = [
        f"hang alone (limits: probe {config.probe_timeout:g} s, training "
        f"{config.training_timeout:g} s, cell {config.cell_timeout:g} s):",
        f"{kit.line()}; within the cell limit: {kit.seconds - kit.per_call <= config.cell_timeout}",
    ]
    if nbgrader is None:
        return [*lines, "  nbgrader autograde  not run (pass --with-hang-nbgrader; minutes)"]
    return [*lines, f"{nbgrader.line()}; nbgrader/kit {nbgrader.seconds / kit.seconds:.1f}x"]


def score_lines(problems: list[str], honest: int) -> list[str]:
    if problems:
        return ["SCORE MISMATCHES:", *problems]
    return [
        f"scores: nbgrader == kit --jobs 1 == kit --jobs 2, per test and total, for all {honest} "
        "honest students; the hang keeps its ReLU, softmax and SGD points in the kit"
    ]


def header_lines(plan: list[tuple[str, str]]) -> list[str]:
    return [
        f"command: {' '.join([Path(sys.executable).name, *sys.argv])}",
        f"machine: {machine()}",
        environment_note(),
        cohort_line(plan),
        "",
        "wall clock of whole calls; per call and per sub solve "
        f"[1 sub] = call + sub, [{len(plan)} subs] = call + {len(plan)} sub",
    ]


@dataclass(frozen=True)
class Cost:
    """A tool's wall clock on one call of 1 submission and one call of n submissions."""

    one: float
    total: float
    n: int

    @property
    def per_submission(self) -> float:
        """Seconds per extra submission: the slope of ``call + n * submission``."""
        return (self.total - self.one) / (self.n - 1)

    @property
    def per_call(self) -> float:
        """Fixed seconds of a call (start-up, imports, writing reports)."""
        return self.one - self.per_submission

    @property
    def plain(self) -> float:
        """Total seconds divided by n: what a call costs per submission, all in."""
        return self.total / self.n
