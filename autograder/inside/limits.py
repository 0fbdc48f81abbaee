"""The resource limits of one submission, as the sandbox enforces them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission.

    cell_timeout: seconds one notebook cell may run.
    probe_timeout: seconds one probe may run unless its request says otherwise.
    memory_mb: memory the submission may use on top of the worker's baseline (numpy
        loaded), in MiB: the address-space cap of each of its processes, and the cap of
        the resident memory of all its processes plus its scratch files together.
    output_chars: longest stdout/stderr or traceback text kept per cell or probe.
    submission_timeout: seconds the whole submission may take, every cell and probe
        together (the grader stops the sandbox when it runs out).
    max_processes: processes the submission may run at once.
    scratch_mb: size of its private temporary folder (its /tmp, /dev/shm and working
        directory), in MiB.
    """

    cell_timeout: float
    probe_timeout: float
    memory_mb: int
    output_chars: int
    submission_timeout: float = 300.0
    max_processes: int = 64
    scratch_mb: int = 128

    def __post_init__(self) -> None:
        for name in (
            "cell_timeout",
            "probe_timeout",
            "memory_mb",
            "output_chars",
            "submission_timeout",
            "max_processes",
            "scratch_mb",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be positive, got {getattr(self, name)!r}")
