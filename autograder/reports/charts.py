"""Charts of the cohort report, drawn with matplotlib and embedded as base64 PNG.

Each chart is drawn on its own ``Figure`` (no pyplot, so no global state or backend
choice), saved without a timestamp or software tag so the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.figure import Figure

BAR_COLOR = "#3b6ea5"
MEAN_COLOR = "#a40e26"


def png_data_uri(figure: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def score_histogram(scores: list[float], max_score: float) -> str:
    """A histogram of the scores in ten equal bins from 0 to ``max_score``, with the mean."""
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.add_subplot()
    top = max(max_score, max(scores, default=0.0), 1.0)
    bins = [float(edge) for edge in np.linspace(0.0, top, 11)]
    axes.hist(scores, bins=bins, color=BAR_COLOR, edgecolor="white")
    if scores:
        mean = float(np.mean(scores))
        axes.axvline(mean, color=MEAN_COLOR, linestyle="--", label=f"mean {mean:.1f}")
        axes.legend(frameon=False)
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    axes.spines[["top", "right"]].set_visible(False)
    return png_data_uri(figure)


def pass_rate_bars(labels: list[str], rates: list[float]) -> str:
    """Horizontal bars: the share of submissions passing each test, first test on top."""
    figure = Figure(figsize=(7, 0.9 + 0.32 * max(len(labels), 1)), layout="constrained")
    axes = figure.add_subplot()
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, [100 * r for r in rates], color=BAR_COLOR)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions passing (%)")
    for y, rate in zip(positions, rates, strict=True):
        axes.text(min(100 * rate + 1, 92), y, f"{100 * rate:.0f}%", va="center", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return png_data_uri(figure)
