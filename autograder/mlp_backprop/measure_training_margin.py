"""How far above the minimum accuracy does the solution land on the hidden training check?

Runs the training probe, unchanged, with the instructor solution (loaded here, in the
instructor's process; never in a sandbox) over many training seeds (each seed draws its
own task, dataset, initial weights and shuffles), scores each run with the check's own
accuracy, and prints the spread and the time per run:

    PYTHONPATH=. .venv/bin/python -m autograder.mlp_backprop.measure_training_margin [--seeds 100]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from autograder.config import course_config
from autograder.mlp_backprop.cases import TRAINING_SCHEDULE, training_case
from autograder.mlp_backprop.test_training import accuracy
from autograder.mlp_backprop.training import train
from autograder.paths import solutions_dir

ASSIGNMENT = __package__.rpartition(".")[2]  # this folder's assignment
SOLUTION = solutions_dir(ASSIGNMENT) / f"{ASSIGNMENT}.py"


def solution_namespace() -> dict:
    """The instructor solution's globals, as a notebook's namespace."""
    namespace: dict = {"__name__": "solution"}
    exec(compile(SOLUTION.read_text(encoding="utf-8"), str(SOLUTION), "exec"), namespace)
    return namespace


def final_accuracy(config, seed: int, namespace: dict) -> tuple[float, float]:
    """(final training accuracy, seconds) of one solution run with training seed ``seed``."""
    inputs = training_case(dataclasses.replace(config, training_seed=seed))
    start = time.perf_counter()
    out = train(namespace, inputs)
    seconds = time.perf_counter() - start
    return accuracy(out["params"], inputs["X"], inputs["y"]), seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="how many training seeds")
    args = parser.parse_args(argv)
    config = course_config()
    namespace = solution_namespace()
    runs = [final_accuracy(config, seed, namespace) for seed in range(args.seeds)]
    accuracies, seconds = np.array([a for a, _ in runs]), np.array([s for _, s in runs])
    configured, _ = final_accuracy(config, config.training_seed, namespace)
    print(f"schedule: {TRAINING_SCHEDULE}")
    print(f"solution: {SOLUTION}")
    print(
        f"final accuracy over seeds 0..{args.seeds - 1}: min {accuracies.min():.4f}, "
        f"1st percentile {np.percentile(accuracies, 1):.4f}, "
        f"median {np.median(accuracies):.4f}, max {accuracies.max():.4f}"
    )
    print(
        f"configured training_seed {config.training_seed}: {configured:.4f} "
        f"(required {config.min_train_accuracy})"
    )
    print(f"seconds per run: median {np.median(seconds):.3f}, max {seconds.max():.3f}")


if __name__ == "__main__":
    main()
