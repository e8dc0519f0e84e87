"""Combining the models: weights from out-of-sample scores, and the mixture of paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from ..i18n import _

#: Ways to turn out-of-sample scores into model weights.
WEIGHTINGS: tuple[str, ...] = ("inverse_mse", "best_crps", "equal")

Weighting = Literal["inverse_mse", "best_crps", "equal"]


def model_weights(scores: pd.DataFrame, weighting: Weighting = "inverse_mse") -> dict[str, float]:
    """Weights of the models from their out-of-sample scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        Indexed by model, with columns ``mse`` (fraction²), ``crps`` (fraction) and
        ``n_scored`` (origins scored).
    weighting : {"inverse_mse", "best_crps", "equal"}
        ``inverse_mse``: proportional to 1 / MSE of the point forecast (the mean);
        ``best_crps``: all weight on the model with the lowest mean CRPS; ``equal``.
        Without any scored origin, the weights are equal.

    Returns
    -------
    dict
        Model → weight (sums to 1).
    """
    if weighting not in WEIGHTINGS:
        raise ValueError(_("weighting: expected one of {names}, found {value!r}").format(
            names=", ".join(WEIGHTINGS), value=weighting))
    names = list(scores.index)
    equal = {m: 1 / len(names) for m in names}
    usable = (
        (scores["n_scored"] > 0).all()
        and np.all(np.isfinite(scores["mse"]))
        and np.all(np.isfinite(scores["crps"]))
    )
    if weighting == "equal" or not usable:
        return equal
    if weighting == "best_crps":
        best = names[int(np.argmin(scores["crps"].to_numpy()))]
        return {m: float(m == best) for m in names}
    inv = 1 / np.maximum(scores["mse"].to_numpy(dtype=float), 1e-12)
    return {m: float(w) for m, w in zip(names, inv / inv.sum(), strict=True)}


def mix(samples: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """A mixture sample: the first ``round(w_m × n)`` draws of each model, stacked.

    Counts are rounded by largest remainder, so they sum to ``n`` (the number of
    draws per model); rows (whole paths) are kept together.
    """
    names = [m for m in samples if weights.get(m, 0) > 0]
    n = len(next(iter(samples.values())))
    w = np.array([weights[m] for m in names], dtype=float)
    raw = w / w.sum() * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    return np.concatenate([samples[m][:c] for m, c in zip(names, counts, strict=True) if c])
