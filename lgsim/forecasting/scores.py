"""Proper scores of predictive distributions: CRPS, log score, PIT, and a uniformity test.

CRPS and the log score come from `scoringrules <https://github.com/frazane/scoringrules>`_
(numpy and scipy only; imported inside the functions, as it takes about 0.3 s): it has
both scores for normal forecasts and for samples, and takes **sample weights** — a run
conditioned on published figures is a weighted sample (importance weights). The other
candidate, properscoring, has no log score and has not been released since 2015.

* :func:`crps_sample` — ``E|X − y| − ½ E|X − X'|`` of a (weighted) sample
  (``scoringrules.crps_ensemble``, its quantile-decomposition estimator: exact for the
  sample's empirical distribution, in O(m log m));
* :func:`crps_normal` — the closed form ``σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π]``;
* :func:`log_score_sample` — ``−log f(y)`` with ``f`` a Gaussian kernel density of the
  sample (Silverman's bandwidth; with weights, the weighted sd and quantiles and the
  effective sample size), ``scoringrules.logs_ensemble`` / ``logs_mixnorm``;
* :func:`log_score_normal` — ``−log φ((y − μ)/σ)/σ``;
* :func:`pit_sample` — the predictive CDF at the outcome (probability integral
  transform): uniform on (0, 1) for a calibrated forecaster;
* :func:`pit_uniformity` — Kolmogorov–Smirnov test of PIT values against uniform.

Units: scores are in the units of the outcome (growth as a **fraction**: multiply CRPS
by 100 for percentage points); the log score is of the density of growth as a fraction
(lower is better for both).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..analysis import effective_sample_size, quantiles
from ..i18n import _

#: Silverman's rule of thumb: ``1.06 · min(sd, IQR / 1.34) · n^(−1/5)``.
_SILVERMAN = 1.06


def _weights(weights: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    if weights is None:
        return None
    w = np.broadcast_to(np.asarray(weights, dtype=float), shape)
    if np.any(w < 0) or not np.all(np.sum(w, axis=-1) > 0):
        raise ValueError(_("weights: expected non-negative weights with a positive sum"))
    return w


def crps_sample(
    samples: np.ndarray, y: np.ndarray | float, weights: np.ndarray | None = None
) -> np.ndarray:
    """CRPS of a predictive sample against an outcome.

    Parameters
    ----------
    samples : numpy.ndarray
        Draws, shape ``(..., m)`` (the last axis is the sample).
    y : numpy.ndarray or float
        Outcomes, shape ``(...)``, in the units of ``samples``.
    weights : numpy.ndarray, optional
        Sample weights (e.g. importance weights), broadcast to ``samples``; any scale.

    Returns
    -------
    numpy.ndarray
        CRPS, shape ``(...)``, in the units of ``y`` (lower is better). Equal to
        ``E|X − y| − ½ E|X − X'|`` over the (weighted) empirical distribution.
    """
    import scoringrules as sr

    x = np.asarray(samples, dtype=float)
    w = _weights(weights, x.shape)
    return np.asarray(sr.crps_ensemble(np.asarray(y, dtype=float), x, ens_w=w,
                                       backend="numpy"), dtype=float)


def crps_normal(
    mean: np.ndarray | float, sd: np.ndarray | float, y: np.ndarray | float
) -> np.ndarray:
    """CRPS of a normal forecast ``N(mean, sd²)``: ``σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π]``.

    Parameters
    ----------
    mean, sd : numpy.ndarray or float
        Mean and standard deviation of the forecast (fractions).
    y : numpy.ndarray or float
        Outcome, same units; ``z = (y − mean) / sd``.

    Returns
    -------
    numpy.ndarray
        In the units of ``y``.
    """
    import scoringrules as sr

    return np.asarray(sr.crps_normal(np.asarray(y, dtype=float), np.asarray(mean, dtype=float),
                                     np.asarray(sd, dtype=float), backend="numpy"), dtype=float)


def kde_bandwidth(samples: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Silverman's bandwidth of a (weighted) sample: ``1.06 · min(sd, IQR/1.34) · n^(−1/5)``.

    With weights, the sd and quartiles are weighted and ``n`` is Kish's effective
    sample size; without, it is the rule ``scoringrules.logs_ensemble`` uses.
    """
    x = np.asarray(samples, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    if w is None:
        sd = float(x.std())
    else:
        mean = float(np.sum(w * x) / w.sum())
        sd = math.sqrt(float(np.sum(w * (x - mean) ** 2) / w.sum()))
    q = quantiles(x, (0.25, 0.75), w)
    n = effective_sample_size(w, x.size)
    return _SILVERMAN * min(sd, (q["p75"] - q["p25"]) / 1.34) * n ** (-0.2)


def log_score_sample(
    samples: np.ndarray, y: float, weights: np.ndarray | None = None
) -> float:
    """Log score ``−log f(y)`` of a (weighted) sample, ``f`` its Gaussian kernel density.

    Parameters
    ----------
    samples : numpy.ndarray
        Draws, shape ``(m,)``.
    y : float
        The outcome, in the units of ``samples``.
    weights : numpy.ndarray, optional
        Sample weights (importance weights); the kernels are weighted by them.

    Returns
    -------
    float
        ``−log`` of the density at ``y`` (lower is better; the density of growth as a
        fraction, so a forecast with sd 1 pp scores about ``−log(1/0.01)`` ≈ −3.7 when
        right on).
    """
    import scoringrules as sr

    x = np.asarray(samples, dtype=float)
    if weights is None:
        return float(sr.logs_ensemble(float(y), x, backend="numpy"))
    w = np.asarray(weights, dtype=float)
    h = kde_bandwidth(x, w)
    return float(sr.logs_mixnorm(float(y), x, np.full(x.shape, h), w / w.sum(),
                                 backend="numpy"))


def log_score_normal(
    mean: np.ndarray | float, sd: np.ndarray | float, y: np.ndarray | float
) -> np.ndarray:
    """Log score ``−log φ((y − μ)/σ)/σ`` of a normal forecast (units as :func:`crps_normal`)."""
    import scoringrules as sr

    return np.asarray(sr.logs_normal(np.asarray(y, dtype=float), np.asarray(mean, dtype=float),
                                     np.asarray(sd, dtype=float), backend="numpy"), dtype=float)


def pit_sample(samples: np.ndarray, y: float, weights: np.ndarray | None = None) -> float:
    """The (weighted) share of the sample at or below ``y``: the predictive CDF at ``y``."""
    x = np.asarray(samples, dtype=float)
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w[x <= y]) / np.sum(w))


def pit_normal(mean: float, sd: float, y: float) -> float:
    """``Φ((y − mean) / sd)``."""
    from scipy.special import ndtr

    return float(ndtr((y - mean) / sd))


class Uniformity(NamedTuple):
    """A Kolmogorov–Smirnov test of PIT values against the uniform distribution."""

    n: int
    statistic: float
    p_value: float


def pit_uniformity(pits: np.ndarray) -> Uniformity:
    """Kolmogorov–Smirnov test of PIT values against U(0, 1) (exact p-value for small n).

    A small p-value (say below 0.05) says the forecasts were not calibrated: too narrow
    (PIT piled at 0 and 1), too wide (piled in the middle) or biased (piled at one end).
    With few values the test has little power: a large p-value is no proof of calibration.
    """
    from scipy.stats import kstest

    p = np.asarray(pits, dtype=float)
    p = p[np.isfinite(p)]
    if p.size == 0:
        return Uniformity(0, math.nan, math.nan)
    res = kstest(p, "uniform")
    return Uniformity(int(p.size), float(res.statistic), float(res.pvalue))
