"""Gradescope-specific settings, carried in the bundle as ``gradescope.json``.

course_config.py stays the one config; on Gradescope a few of its values are overridden
to fit the container. Gradescope's defaults (its documentation, "Troubleshooting"): 768 MB
of memory, half a virtual CPU, an overall timeout of 10 minutes; a run past the timeout
is killed and the student gets 0 with no feedback. So:

- ``jobs`` is 1 (half a CPU has no room for a second submission anyway);
- ``memory_limit_mb`` (what one submission may add) is the container's memory less what
  the grader and its warm worker take (measured: 139 MiB peak PSS on the correct sample);
- grading gets ``time_budget_s``, the overall timeout less time to start and to write
  results; past it, results.json says so instead of Gradescope's silent 0.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.errors import KitError

if TYPE_CHECKING:  # the course's config module, loaded by autograder.config
    from course_config import CourseConfig

CONTAINER_MB = 768  # Gradescope's default memory limit of one autograder container
TIMEOUT_S = 600  # Gradescope's default overall timeout of one run
GRADER_RESERVE_MB = 256  # grader + warm worker, with room over the measured 139 MiB
STARTUP_RESERVE_S = 60  # starting Python and the warm worker, writing results.json
SETTINGS_FILE = "gradescope.json"


@dataclass(frozen=True)
class GradescopeSettings:
    """What run_autograder needs beyond course_config.py.

    assignment: the assignment the bundle grades.
    time_budget_s: seconds grading may take before it is stopped and reported.
    overrides: course_config settings replaced on Gradescope (validated by CourseConfig).
    """

    assignment: str
    time_budget_s: float
    overrides: dict[str, Any]

    def apply(self, config: CourseConfig) -> CourseConfig:
        """``config`` (a CourseConfig) with the Gradescope overrides."""
        try:
            return dataclasses.replace(config, **self.overrides)
        except (TypeError, ValueError) as err:
            raise KitError(f"{SETTINGS_FILE}: bad override ({err})") from err

    def to_json(self) -> str:
        """The content of gradescope.json."""
        return json.dumps(dataclasses.asdict(self), indent=2) + "\n"


def for_container(
    assignment: str,
    config: CourseConfig,
    container_mb: int = CONTAINER_MB,
    timeout_s: float = TIMEOUT_S,
) -> GradescopeSettings:
    """The settings for a Gradescope container of ``container_mb`` and ``timeout_s``."""
    memory = container_mb - GRADER_RESERVE_MB
    budget = timeout_s - STARTUP_RESERVE_S
    if memory < 128 or budget < 60:
        raise KitError(
            f"a Gradescope container of {container_mb} MB and {timeout_s:g} s is too small: "
            f"grading needs at least {GRADER_RESERVE_MB + 128} MB and {STARTUP_RESERVE_S + 60} s"
        )
    overrides = {"jobs": 1, "memory_limit_mb": min(config.memory_limit_mb, memory)}
    return GradescopeSettings(assignment, float(budget), overrides)


def read_settings(folder: Path) -> GradescopeSettings:
    """The settings a bundle carries in ``folder/gradescope.json``."""
    path = folder / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GradescopeSettings(
            str(data["assignment"]), float(data["time_budget_s"]), dict(data["overrides"])
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KitError(f"{path}: not a valid Gradescope settings file ({err})") from err
