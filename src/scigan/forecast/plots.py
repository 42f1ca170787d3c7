"""The forecast picture: every model's forecast against the truth over the test days, and
the last 60 of them up close."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Days in the close-up panel.
CLOSE_UP = 60


def forecast_figure(
    dates: np.ndarray,
    truth: np.ndarray,
    forecasts: dict[str, np.ndarray],
    target: str,
    path: Path,
    provenance: dict[str, str],
) -> None:
    """Write ``path`` (PNG): ``truth`` (N,) and each forecast (N,) over ``dates`` (N,)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scigan.report.plots import save_png

    fig, axes = plt.subplots(2, 1, figsize=(10, 7))
    for ax, start in zip(axes, (0, max(len(truth) - CLOSE_UP, 0))):
        ax.plot(dates[start:], truth[start:], color="black", linewidth=1.6, label="truth")
        for name, values in forecasts.items():
            ax.plot(dates[start:], values[start:], linewidth=0.9, label=name)
        ax.set_ylabel(target)
    axes[0].set_title(f"{target}: forecasts over the test days (walk-forward)")
    axes[1].set_title(f"the last {min(CLOSE_UP, len(truth))} days")
    axes[0].legend(fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path, provenance)
    plt.close(fig)
