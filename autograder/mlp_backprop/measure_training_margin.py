"""How far above the minimum accuracy does the reference land on the hidden training check?

Runs the training probe, unchanged, with the kit's reference implementation over many
training seeds (each seed draws its own dataset, initial weights and shuffles) and prints
the spread of final training accuracies and the time per run:

    PYTHONPATH=. .venv/bin/python -m autograder.mlp_backprop.measure_training_margin [--seeds 100]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from autograder.config import course_config
from autograder.mlp_backprop.cases import TRAINING_SCHEDULE, training_case
from autograder.mlp_backprop.reference_model import reference
from autograder.mlp_backprop.training import train


def final_accuracy(config, seed: int) -> tuple[float, float]:
    """(final training accuracy, seconds) of one reference run with training seed ``seed``."""
    inputs = training_case(dataclasses.replace(config, training_seed=seed))
    start = time.perf_counter()
    out = train(vars(reference()), inputs)
    return out["final_accuracy"], time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="how many training seeds")
    args = parser.parse_args(argv)
    config = course_config()
    runs = [final_accuracy(config, seed) for seed in range(args.seeds)]
    accuracies, seconds = np.array([a for a, _ in runs]), np.array([s for _, s in runs])
    configured, _ = final_accuracy(config, config.training_seed)
    print(f"schedule: {TRAINING_SCHEDULE}")
    print(f"reference: {reference().__name__}")
    print(f"final accuracy over seeds 0..{args.seeds - 1}: min {accuracies.min():.4f}, "
          f"median {np.median(accuracies):.4f}, max {accuracies.max():.4f}")
    print(f"configured training_seed {config.training_seed}: {configured:.4f} "
          f"(required {config.min_train_accuracy})")
    print(f"seconds per run: median {np.median(seconds):.3f}, max {seconds.max():.3f}")


if __name__ == "__main__":
    main()
