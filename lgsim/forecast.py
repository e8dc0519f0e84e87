"""Forecasts of an annual growth rate from its own short history, with honest intervals.

The series is short (for Longgang: 2005, 2010, 2012–2020, eleven published figures), so
the candidates are small models and two naive benchmarks:

``ar1``
    AR(1) around a constant mean, statsmodels ``ARIMA(order=(1, 0, 0), trend="c")``.
``local_level``
    Random-walk level plus noise, statsmodels ``UnobservedComponents(level="local level")``.
``ets``
    Exponential smoothing with additive errors, statsmodels ``ETSModel``: ETS(A,N,N), or
    ETS(A,Ad,N) (damped trend) when the fitted span has at least
    :data:`ETS_DAMPED_MIN_OBS` years and its AICc is lower.
``naive_last``
    Benchmark: the last value carried forward (random walk, no drift).
``naive_mean``
    Benchmark: the historical mean (independent draws around it).

Units: growth is a **fraction** throughout (0.098 = 9.8 %); errors in tables are in
percentage points (``_pp``). See ``docs/forecasting.md`` for the method and the backtest.

statsmodels is imported inside the fitting functions (importing it costs about a second).
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .backtest import BacktestResult

#: All model names, in display order.
MODELS: tuple[str, ...] = ("ar1", "local_level", "ets", "naive_last", "naive_mean")
#: The naive benchmarks (always reported by :func:`lgsim.backtest.backtest`).
BENCHMARKS: tuple[str, ...] = ("naive_last", "naive_mean")
#: Ways to turn out-of-sample scores into model weights.
WEIGHTINGS: tuple[str, ...] = ("inverse_mse", "best_crps", "equal")
#: Ways to handle years without a published figure.
GAPS: tuple[str, ...] = ("tail", "nan")
#: Fewest observations a fit may use (AR(1) has three parameters).
MIN_OBS: int = 4
#: Fewest years in the ETS span before the damped-trend variant is tried.
ETS_DAMPED_MIN_OBS: int = 10
#: Probabilities reported by :meth:`ForecastResult.to_frame`.
QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)

Weighting = Literal["inverse_mse", "best_crps", "equal"]
Gaps = Literal["tail", "nan"]
Rngs = tuple[np.random.Generator, np.random.Generator]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class GrowthData:
    """A growth series on a consecutive annual grid, ready for fitting.

    Parameters
    ----------
    years : numpy.ndarray
        Consecutive years (int).
    y : numpy.ndarray
        Growth, **fraction**; NaN where no figure was published.
    lower_bound : numpy.ndarray
        True where the figure is only a lower bound ("over X").
    estimate : numpy.ndarray
        True where the figure is an estimate ("about X").
    dropped : tuple of int
        Published years left out by ``gaps="tail"``.
    """

    years: np.ndarray
    y: np.ndarray
    lower_bound: np.ndarray
    estimate: np.ndarray
    dropped: tuple[int, ...] = ()

    @property
    def observed(self) -> np.ndarray:
        """Boolean mask of years with a figure."""
        return ~np.isnan(self.y)

    @property
    def n_obs(self) -> int:
        """Number of published figures."""
        return int(self.observed.sum())

    def upto(self, year: int) -> GrowthData:
        """The data up to and including ``year``."""
        keep = self.years <= year
        return replace(
            self,
            years=self.years[keep],
            y=self.y[keep],
            lower_bound=self.lower_bound[keep],
            estimate=self.estimate[keep],
        )

    def to_series(self) -> pd.Series:
        """The published values as a Series indexed by year (fractions)."""
        obs = self.observed
        return pd.Series(self.y[obs], index=pd.Index(self.years[obs], name="year"))


def _flag_years(flag: Any, years: np.ndarray, name: str) -> np.ndarray:
    """Turn a flag given as years or as a boolean Series into a mask over ``years``."""
    if flag is None:
        return np.zeros(len(years), dtype=bool)
    if isinstance(flag, pd.Series) and flag.dtype == bool:
        flagged = {int(y) for y, v in flag.items() if v}
    else:
        try:
            flagged = {int(y) for y in flag}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}: expected years or a boolean Series by year") from exc
    return np.isin(years, sorted(flagged))


def prepare(
    series: pd.Series | Mapping[int, float] | GrowthData,
    gaps: Gaps = "tail",
    lower_bound: Iterable[int] | pd.Series | None = None,
    estimate: Iterable[int] | pd.Series | None = None,
) -> GrowthData:
    """Validate a growth series and put it on a consecutive annual grid.

    Parameters
    ----------
    series : pandas.Series or mapping
        Growth as a **fraction** (0.098 for 9.8 %), indexed by year, e.g. the output of
        :func:`lgsim.datasets.growth_series`. NaN entries count as not published.
    gaps : {"tail", "nan"}
        ``"tail"`` (default) keeps the longest run of consecutive years that ends at the
        last figure (Longgang: 2012–2020) and drops earlier years; ``"nan"`` keeps every
        year from the first to the last figure, missing years as NaN.
    lower_bound, estimate : iterable of int or boolean Series, optional
        Years whose figure is a lower bound / an estimate. Default: the lists in
        ``series.attrs`` (set by :func:`lgsim.datasets.growth_series`), else none.

    Returns
    -------
    GrowthData

    Raises
    ------
    ValueError
        Non-numeric or duplicate years, values above 1 in magnitude ("looks like
        percent"), fewer than two figures, or an unknown ``gaps``.
    """
    if isinstance(series, GrowthData):
        return series
    if gaps not in GAPS:
        raise ValueError(f"gaps: expected one of {', '.join(GAPS)}, found {gaps!r}")
    attrs = dict(getattr(series, "attrs", {}) or {})
    s = pd.Series(series, dtype=float) if not isinstance(series, pd.Series) else series
    try:
        years = np.asarray([int(y) for y in s.index], dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise ValueError("series: the index must be years (integers)") from exc
    values = pd.to_numeric(pd.Series(s.to_numpy()), errors="coerce").to_numpy(dtype=float)
    if len(set(years.tolist())) != len(years):
        raise ValueError("series: a year appears more than once")
    keep = ~np.isnan(values)
    years, values = years[keep], values[keep]
    order = np.argsort(years)
    years, values = years[order], values[order]
    if np.any(np.abs(values) > 1):
        bad = int(years[np.argmax(np.abs(values) > 1)])
        raise ValueError(
            f"series: year {bad} has |growth| > 1 — looks like percent: write 0.06 for 6%"
        )
    if len(values) < 2:
        raise ValueError(f"series: at least 2 published years needed, found {len(values)}")
    full = np.arange(years[0], years[-1] + 1)
    y = np.full(len(full), np.nan)
    y[years - years[0]] = values
    lb = _flag_years(
        lower_bound if lower_bound is not None else attrs.get("lower_bound"), full, "lower_bound"
    )
    est = _flag_years(estimate if estimate is not None else attrs.get("estimate"), full, "estimate")
    data = GrowthData(full, y, lb & ~np.isnan(y), est & ~np.isnan(y))
    if gaps == "tail":
        missing = np.flatnonzero(np.isnan(y))
        if missing.size:
            start = int(missing[-1]) + 1
            dropped = tuple(int(v) for v in full[:start][~np.isnan(y[:start])])
            data = GrowthData(
                full[start:], y[start:], data.lower_bound[start:], data.estimate[start:], dropped
            )
    return data


# ----------------------------------------------------------------- randomness


def _rngs(seed: int, *key: object) -> Rngs:
    """Two generators (parameters, shocks) keyed by ``(seed, *key)``, order-free.

    The key is hashed with blake2b, so adding or reordering models or origins changes
    no other draw; parameter and shock draws come from separate streams, so a run
    with and without parameter uncertainty shares its shocks.
    """
    h = hashlib.blake2b(digest_size=16, person=b"lgsim-fcst-v1")
    h.update("\x1f".join(str(k) for k in key).encode())
    words = tuple(int(w) for w in np.frombuffer(h.digest(), dtype=np.uint32))
    params, shocks = np.random.SeedSequence(int(seed), spawn_key=words).spawn(2)
    return np.random.default_rng(params), np.random.default_rng(shocks)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: expected an integer >= 0, found {seed!r}")
    return int(seed)


# --------------------------------------------------------------- model fits


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence statsmodels' convergence/frequency/start-value warnings, locally."""
    from statsmodels.tools.sm_exceptions import ModelWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"statsmodels\.")
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"statsmodels\.")
        yield


@dataclass(frozen=True)
class FittedModel:
    """One model fitted to one span of data; simulates future paths.

    Attributes
    ----------
    name : str
        Model name (see :data:`MODELS`).
    info : dict
        Description, estimated parameters (fractions; variances in fraction²) and fit
        diagnostics; ``acceptance`` is the share of parameter draws accepted by the
        truncation in the latest simulation.
    """

    name: str
    info: dict[str, Any]
    _simulate: Callable[[int, int, Rngs, bool], np.ndarray] = field(repr=False)

    def simulate(
        self, horizon: int, n_sims: int, rngs: Rngs, parameter_uncertainty: bool = True
    ) -> np.ndarray:
        """Simulated future paths, shape ``(n_sims, horizon)``, growth as fractions."""
        return self._simulate(horizon, n_sims, rngs, parameter_uncertainty)


def _psd(cov: np.ndarray) -> np.ndarray | None:
    """Symmetrised covariance with negative eigenvalues set to 0; None if not finite."""
    cov = np.asarray(cov, dtype=float)
    if not np.all(np.isfinite(cov)):
        return None
    cov = (cov + cov.T) / 2
    vals, vecs = np.linalg.eigh(cov)
    return (vecs * np.clip(vals, 0, None)) @ vecs.T


def _draw_params(
    mean: np.ndarray,
    cov: np.ndarray | None,
    admissible: Callable[[np.ndarray], np.ndarray],
    n: int,
    rng: np.random.Generator,
    max_rounds: int = 200,
) -> tuple[np.ndarray, float]:
    """Draws from N(mean, cov) truncated to the admissible region, by rejection.

    Returns the draws ``(n, k)`` and the acceptance rate. Without a usable covariance
    (or if rejection fails), the missing draws are the point estimate.
    """
    mean = np.asarray(mean, dtype=float)
    if cov is None:
        return np.tile(mean, (n, 1)), math.nan
    kept: list[np.ndarray] = []
    got = tried = 0
    for _ in range(max_rounds):
        z = rng.multivariate_normal(mean, cov, size=2 * n, method="eigh")
        tried += len(z)
        z = z[admissible(z)]
        kept.append(z)
        got += len(z)
        if got >= n:
            break
    draws = np.concatenate(kept)[:n] if got else np.empty((0, len(mean)))
    if len(draws) < n:
        draws = np.vstack([draws, np.tile(mean, (n - len(draws), 1))])
    return draws, got / tried


def _fit_ar1(data: GrowthData) -> FittedModel:
    """AR(1) around a mean, by exact Gaussian maximum likelihood (Kalman filter)."""
    from statsmodels.tsa.arima.model import ARIMA

    with _quiet():
        res = ARIMA(data.y, order=(1, 0, 0), trend="c").fit()
        cov = _psd(res.cov_params())
    params = np.asarray(res.params, dtype=float)  # const (= mean), ar.L1, sigma2
    y_last = float(data.y[~np.isnan(data.y)][-1])
    info: dict[str, Any] = {
        "description": "AR(1) around a constant mean, statsmodels ARIMA(1,0,0) trend='c'",
        "params": dict(zip(["mean", "phi", "sigma2"], params.tolist(), strict=True)),
        "se": dict(
            zip(
                ["mean", "phi", "sigma2"],
                np.sqrt(np.diag(cov)).tolist() if cov is not None else [math.nan] * 3,
                strict=True,
            )
        ),
        "converged": bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True,
        "n_obs": data.n_obs,
    }

    def admissible(p: np.ndarray) -> np.ndarray:
        return (np.abs(p[:, 1]) < 1) & (p[:, 2] > 0)

    def simulate(h: int, n: int, rngs: Rngs, pu: bool) -> np.ndarray:
        if pu:
            p, rate = _draw_params(params, cov, admissible, n, rngs[0])
            info["acceptance"] = rate
        else:
            p = np.tile(params, (n, 1))
        mu, phi, sd = p[:, 0], p[:, 1], np.sqrt(p[:, 2])
        eps = rngs[1].standard_normal((n, h))
        out = np.empty((n, h))
        prev = np.full(n, y_last)
        for k in range(h):
            prev = mu + phi * (prev - mu) + sd * eps[:, k]
            out[:, k] = prev
        return out

    return FittedModel("ar1", info, simulate)


def local_level_filter(
    y: np.ndarray, s2_irregular: np.ndarray, s2_level: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Filtered level and its variance at the last period, for many parameter sets.

    Parameters
    ----------
    y : numpy.ndarray
        Observations (fractions), NaN where missing; the first figure starts the exact
        diffuse initialisation (as statsmodels does).
    s2_irregular, s2_level : numpy.ndarray
        Variances of the observation noise and of the level's steps (fraction²), one
        per parameter set.

    Returns
    -------
    level, variance : numpy.ndarray
        ``E[level_T | y]`` and ``Var[level_T | y]`` for each parameter set.
    """
    s2e = np.asarray(s2_irregular, dtype=float)
    s2n = np.asarray(s2_level, dtype=float)
    a = np.full(s2e.shape, np.nan)
    p = np.full(s2e.shape, np.inf)
    started = False
    for v in y:
        if not started:
            if np.isnan(v):
                continue
            a = np.full(s2e.shape, float(v))
            p = s2e.copy()
            started = True
            continue
        p = p + s2n
        if not np.isnan(v):
            gain = p / (p + s2e)
            a = a + gain * (v - a)
            p = p * (1 - gain)
    return a, p


def _fit_local_level(data: GrowthData) -> FittedModel:
    """Local level model by Gaussian maximum likelihood (statsmodels, diffuse start)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    with _quiet():
        res = UnobservedComponents(data.y, level="local level").fit(disp=False)
        cov = _psd(res.cov_params())
    params = np.asarray(res.params, dtype=float)  # sigma2.irregular, sigma2.level
    names = ["sigma2_irregular", "sigma2_level"]
    info: dict[str, Any] = {
        "description": "local level (random walk + noise), statsmodels UnobservedComponents",
        "params": dict(zip(names, params.tolist(), strict=True)),
        "se": dict(
            zip(
                names,
                np.sqrt(np.diag(cov)).tolist() if cov is not None else [math.nan] * 2,
                strict=True,
            )
        ),
        "converged": bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True,
        "n_obs": data.n_obs,
    }

    def admissible(p: np.ndarray) -> np.ndarray:
        return (p[:, 0] >= 0) & (p[:, 1] >= 0) & (p.sum(axis=1) > 0)

    def simulate(h: int, n: int, rngs: Rngs, pu: bool) -> np.ndarray:
        if pu:
            p, rate = _draw_params(params, cov, admissible, n, rngs[0])
            info["acceptance"] = rate
        else:
            p = np.tile(params, (n, 1))
        s2e, s2n = p[:, 0], p[:, 1]
        a, var = local_level_filter(data.y, s2e, s2n)
        z = rngs[1].standard_normal((n, 2 * h + 1))
        level = a + np.sqrt(var) * z[:, 0]
        out = np.empty((n, h))
        for k in range(h):
            level = level + np.sqrt(s2n) * z[:, 1 + k]
            out[:, k] = level + np.sqrt(s2e) * z[:, 1 + h + k]
        return out

    return FittedModel("local_level", info, simulate)


def _contiguous_tail(data: GrowthData) -> np.ndarray:
    """The observations after the last gap."""
    y = data.y
    missing = np.flatnonzero(np.isnan(y))
    return y[int(missing[-1]) + 1 :] if missing.size else y


def ets_affine(
    y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One-step errors and final state of additive ETS as affine functions of the start.

    For ETS(A,Ad,N) with state ``x = (level, trend)``, ``yhat_t = l + phi b``,
    ``l <- l + phi b + alpha e``, ``b <- phi b + beta e`` (ETS(A,N,N): ``beta = phi = 0``).
    The recursion is linear, so the errors are ``e = r - Z x0`` and the last state is
    ``x_T = c + M x0`` for the unknown initial state ``x0``.

    Parameters
    ----------
    y : numpy.ndarray
        Observations (fractions), no NaN, shape ``(n,)``.
    alpha, beta, phi : numpy.ndarray
        Smoothing and damping parameters, shape ``(G,)``.

    Returns
    -------
    r : numpy.ndarray
        ``(G, n)``.
    z : numpy.ndarray
        ``(G, n, 2)``.
    c : numpy.ndarray
        ``(G, 2)``.
    m : numpy.ndarray
        ``(G, 2, 2)``.
    """
    alpha, beta, phi = (np.asarray(v, dtype=float) for v in (alpha, beta, phi))
    g_n = alpha.shape[0]
    trans = np.empty((g_n, 2, 2))  # D = F - g w'
    trans[:, 0, 0] = 1 - alpha
    trans[:, 0, 1] = phi * (1 - alpha)
    trans[:, 1, 0] = -beta
    trans[:, 1, 1] = phi * (1 - beta)
    gain = np.stack([alpha, beta], axis=1)
    c = np.zeros((g_n, 2))
    m = np.broadcast_to(np.eye(2), (g_n, 2, 2)).copy()
    r = np.empty((g_n, len(y)))
    z = np.empty((g_n, len(y), 2))
    for t, v in enumerate(y):
        r[:, t] = v - (c[:, 0] + phi * c[:, 1])
        z[:, t, :] = m[:, 0, :] + phi[:, None] * m[:, 1, :]
        c = np.einsum("gij,gj->gi", trans, c) + gain * v
        m = np.einsum("gij,gjk->gik", trans, m)
    return r, z, c, m


def _ets_grid(damped: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid of (alpha, beta, phi) cell midpoints for the ETS posterior."""
    if not damped:
        alpha = (np.arange(200) + 0.5) / 200
        return alpha, np.zeros_like(alpha), np.zeros_like(alpha)
    a = (np.arange(20) + 0.5) / 20
    ratio = (np.arange(10) + 0.5) / 10
    ph = np.linspace(0.80, 0.98, 10)
    aa, rr, pp = np.meshgrid(a, ratio, ph, indexing="ij")
    return aa.ravel(), (aa * rr).ravel(), pp.ravel()


def _ets_posterior(y: np.ndarray, damped: bool) -> dict[str, np.ndarray]:
    """Grid posterior of ETS(A,N,N) or ETS(A,Ad,N) smoothing parameters.

    Flat prior on the grid of :func:`_ets_grid`; the initial state (flat prior) and
    σ² (prior 1/σ²) are integrated out analytically, which gives
    ``p(θ | y) ∝ |Z'Z|^(-1/2) SSE(θ)^(-(n-k)/2)``, ``σ² | θ, y ~ SSE / χ²(n - k)`` and
    ``x0 | θ, σ², y ~ N(x0_hat, σ² (Z'Z)^-1)``.
    """
    n, k = len(y), (2 if damped else 1)
    ga, gb, gp = _ets_grid(damped)
    r, z, c, m = ets_affine(y, ga, gb, gp)
    z = z[:, :, :k]
    ztz = np.einsum("gnk,gnj->gkj", z, z)
    ztr = np.einsum("gnk,gn->gk", z, r)
    x0 = np.linalg.solve(ztz, ztr[..., None])[..., 0]
    sse = np.maximum(np.einsum("gn,gn->g", r, r) - np.einsum("gk,gk->g", ztr, x0), 1e-300)
    logp = -0.5 * np.linalg.slogdet(ztz)[1] - 0.5 * (n - k) * np.log(sse)
    logp[~np.isfinite(logp)] = -np.inf
    prob = np.exp(logp - logp.max())
    return {
        "alpha": ga,
        "beta": gb,
        "phi": gp,
        "x0": x0,
        "sse": sse,
        "c": c,
        "m": m[:, :, :k],
        "prob": prob / prob.sum(),
        "chol": np.linalg.cholesky(np.linalg.inv(ztz)),
        "k": k,
    }


def _fit_ets(data: GrowthData) -> FittedModel:
    """ETS with additive errors: statsmodels ETSModel fit, grid posterior for draws."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = _contiguous_tail(data)
    n = len(y)
    if n < MIN_OBS:
        raise ValueError(f"ets: needs {MIN_OBS} consecutive years, found {n}")
    variants = {"A,N,N": False} | ({"A,Ad,N": True} if n >= ETS_DAMPED_MIN_OBS else {})
    fits, posts = {}, {}
    for variant, damp in variants.items():
        post = _ets_posterior(y, damp)
        # ETSModel's default start can stall on a bound (alpha = 1e-4 where the optimum
        # is near 1 for Longgang); also start from the best grid point, keep the better.
        best = int(np.argmax(-np.log(post["sse"])))
        start = (
            [post["alpha"][best]]
            + ([post["beta"][best], post["phi"][best]] if damp else [])
            + list(post["x0"][best])
        )
        model = ETSModel(y, error="add", trend="add" if damp else None, damped_trend=damp)
        with _quiet():
            tries = [model.fit(disp=False), model.fit(disp=False, start_params=np.array(start))]
        fits[variant] = max(tries, key=lambda f: f.llf)
        posts[variant] = post
    variant = min(fits, key=lambda v: fits[v].aicc)
    res, post, damped = fits[variant], posts[variant], variants[variant]
    p = np.asarray(res.params, dtype=float)
    if damped:
        a_hat, b_hat, phi_hat, x0_hat = p[0], p[1], p[2], np.array([p[3], p[4]])
    else:
        a_hat, b_hat, phi_hat, x0_hat = p[0], 0.0, 0.0, np.array([p[1], 0.0])
    k = post["k"]

    # Plug-in (maximum likelihood) final state and variance.
    r1, z1, c1, m1 = ets_affine(y, np.array([a_hat]), np.array([b_hat]), np.array([phi_hat]))
    e_mle = r1[0] - z1[0] @ x0_hat
    xt_mle = c1[0] + m1[0] @ x0_hat
    s2_mle = float(np.mean(e_mle**2))
    ga, gb, gp, prob = post["alpha"], post["beta"], post["phi"], post["prob"]
    x0, sse, c, m, chol = post["x0"], post["sse"], post["c"], post["m"], post["chol"]

    names = ["alpha", "beta", "phi"] if damped else ["alpha"]
    info: dict[str, Any] = {
        "description": f"ETS({variant}) additive errors, statsmodels ETSModel",
        "variant": variant,
        "params": dict(
            zip(names, [float(a_hat), float(b_hat), float(phi_hat)][: len(names)], strict=True)
        )
        | {"sigma2": s2_mle},
        "aicc": {key: float(f.aicc) for key, f in fits.items()},
        "posterior_mean": {"alpha": float(prob @ ga)}
        | ({"beta": float(prob @ gb), "phi": float(prob @ gp)} if damped else {}),
        "n_obs": n,
        "span": "contiguous tail (ETSModel takes no missing values)",
    }

    def simulate(h: int, n_sims: int, rngs: Rngs, pu: bool) -> np.ndarray:
        if pu:
            rp = rngs[0]
            idx = rp.choice(len(prob), size=n_sims, p=prob)
            s2 = sse[idx] / rp.chisquare(n - k, size=n_sims)
            u = rp.standard_normal((n_sims, k))
            start = x0[idx] + np.einsum("gij,gj->gi", chol[idx], u) * np.sqrt(s2)[:, None]
            xt = c[idx] + np.einsum("gij,gj->gi", m[idx], start)
            al, be, ph = ga[idx], gb[idx], gp[idx]
        else:
            xt = np.tile(xt_mle, (n_sims, 1))
            s2 = np.full(n_sims, s2_mle)
            al, be, ph = (np.full(n_sims, v) for v in (a_hat, b_hat, phi_hat))
        eps = rngs[1].standard_normal((n_sims, h)) * np.sqrt(s2)[:, None]
        lev, tr = xt[:, 0].copy(), xt[:, 1].copy()
        out = np.empty((n_sims, h))
        for j in range(h):
            out[:, j] = lev + ph * tr + eps[:, j]
            lev, tr = lev + ph * tr + al * eps[:, j], ph * tr + be * eps[:, j]
        return out

    return FittedModel("ets", info, simulate)


def _fit_naive_last(data: GrowthData) -> FittedModel:
    """Random walk without drift: the last figure carried forward."""
    obs = data.observed
    yo, yrs = data.y[obs], data.years[obs]
    steps = (np.diff(yo) / np.sqrt(np.diff(yrs))) if len(yo) > 1 else np.zeros(0)
    nd = len(steps)
    s2 = float(np.mean(steps**2))
    y_last = float(yo[-1])
    info = {
        "description": "benchmark: last value carried forward (random walk, no drift)",
        "params": {"last": y_last, "sigma2": s2},
        "n_obs": int(obs.sum()),
    }

    def simulate(h: int, n: int, rngs: Rngs, pu: bool) -> np.ndarray:
        var = nd * s2 / rngs[0].chisquare(nd, size=n) if pu else np.full(n, s2)
        eps = rngs[1].standard_normal((n, h))
        return y_last + np.cumsum(np.sqrt(var)[:, None] * eps, axis=1)

    return FittedModel("naive_last", info, simulate)


def _fit_naive_mean(data: GrowthData) -> FittedModel:
    """Independent draws around the historical mean."""
    yo = data.y[data.observed]
    n = len(yo)
    mean = float(yo.mean())
    ss = float(np.sum((yo - mean) ** 2))
    info = {
        "description": "benchmark: historical mean (independent years)",
        "params": {"mean": mean, "sigma2": ss / n},
        "n_obs": n,
    }

    def simulate(h: int, n_sims: int, rngs: Rngs, pu: bool) -> np.ndarray:
        if pu:
            var = ss / rngs[0].chisquare(n - 1, size=n_sims)
            mu = mean + np.sqrt(var / n) * rngs[0].standard_normal(n_sims)
        else:
            var, mu = np.full(n_sims, ss / n), np.full(n_sims, mean)
        eps = rngs[1].standard_normal((n_sims, h))
        return mu[:, None] + np.sqrt(var)[:, None] * eps

    return FittedModel("naive_mean", info, simulate)


_FITTERS: dict[str, Callable[[GrowthData], FittedModel]] = {
    "ar1": _fit_ar1,
    "local_level": _fit_local_level,
    "ets": _fit_ets,
    "naive_last": _fit_naive_last,
    "naive_mean": _fit_naive_mean,
}


def fit_model(name: str, data: GrowthData) -> FittedModel:
    """Fit one model (see :data:`MODELS`) to prepared data.

    Raises
    ------
    ValueError
        Unknown model, or fewer than :data:`MIN_OBS` figures.
    """
    if name not in _FITTERS:
        raise ValueError(f"models: unknown model {name!r}; expected one of {', '.join(MODELS)}")
    if data.n_obs < MIN_OBS:
        raise ValueError(f"{name}: needs at least {MIN_OBS} figures, found {data.n_obs}")
    return _FITTERS[name](data)


def check_models(models: Sequence[str] | str | None) -> tuple[str, ...]:
    """Validate a model list; None means all of :data:`MODELS`."""
    if models is None:
        return MODELS
    if isinstance(models, str):
        models = [models]
    out = tuple(dict.fromkeys(models))
    unknown = [m for m in out if m not in MODELS]
    if unknown or not out:
        raise ValueError(
            f"models: unknown {', '.join(map(repr, unknown)) or 'empty list'}; "
            f"expected some of {', '.join(MODELS)}"
        )
    return out


# ------------------------------------------------------------- combination


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
        raise ValueError(f"weighting: expected one of {', '.join(WEIGHTINGS)}, found {weighting!r}")
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


# ------------------------------------------------------------------ result


@dataclass(frozen=True)
class ForecastResult:
    """Predictive distributions of future growth, per model and combined.

    Attributes
    ----------
    years : tuple of int
        Forecast years (the year after the last figure, and so on).
    paths : numpy.ndarray
        Combined simulated paths, ``(n_sims, horizon)``, growth as **fractions**.
    model_paths : dict
        Model → its own paths ``(n_sims, horizon)``.
    weights : dict
        Model → weight in the combination.
    backtest : lgsim.backtest.BacktestResult
        The rolling-origin backtest the weights came from.
    fits : dict
        Model → :class:`FittedModel` fitted on all the data.
    data : GrowthData
        The data fitted.
    parameter_uncertainty : bool
        Whether the paths include parameter uncertainty.
    weighting : str
        How the weights were set.
    notes : tuple of str
        Choices made on the way (years dropped, fallbacks).
    """

    years: tuple[int, ...]
    paths: np.ndarray
    model_paths: dict[str, np.ndarray]
    weights: dict[str, float]
    backtest: BacktestResult
    fits: dict[str, FittedModel]
    data: GrowthData
    parameter_uncertainty: bool
    weighting: str
    notes: tuple[str, ...] = ()

    def _column(self, year: int) -> int:
        if year not in self.years:
            raise ValueError(
                f"year: {year} is not forecast; forecast years are "
                f"{', '.join(map(str, self.years))}"
            )
        return self.years.index(year)

    def _paths(self, model: str) -> np.ndarray:
        if model == "combined":
            return self.paths
        if model not in self.model_paths:
            raise ValueError(
                f"model: expected 'combined' or one of {', '.join(self.model_paths)}, "
                f"found {model!r}"
            )
        return self.model_paths[model]

    def sample(self, year: int, model: str = "combined") -> np.ndarray:
        """Simulated growth in ``year`` (fractions), one value per path."""
        return self._paths(model)[:, self._column(year)].copy()

    def normal(self, year: int, model: str = "combined") -> dict[str, float]:
        """Normal approximation ``{"mean": .., "sd": ..}`` of growth in ``year`` (fractions).

        The mean and standard deviation of the simulated values; for a scenario file's
        ``growth = { dist = "normal", mean = .., sd = .. }``. The combined distribution
        is a mixture and may be skewed or heavy-tailed: compare with :meth:`empirical`.
        """
        x = self.sample(year, model)
        return {"mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1))}

    def empirical(
        self, year: int, model: str = "combined", n_values: int | None = 99
    ) -> np.ndarray:
        """Empirical predictive values of growth in ``year`` (fractions, sorted).

        Parameters
        ----------
        year : int
            A forecast year.
        model : str
            ``"combined"`` or a model name.
        n_values : int or None
            Number of evenly spaced quantiles ``(i - 0.5) / n_values`` to return (a
            compact ``empirical { values }`` for a scenario file); None returns every
            simulated value.

        Returns
        -------
        numpy.ndarray
        """
        x = np.sort(self.sample(year, model))
        if n_values is None:
            return x
        return np.quantile(x, (np.arange(n_values) + 0.5) / n_values)

    def prob_at_least(self, year: int, threshold: float, model: str = "combined") -> float:
        """Share of paths with growth in ``year`` at least ``threshold`` (a fraction)."""
        return float(np.mean(self.sample(year, model) >= threshold - 1e-12))

    def scenario_growth(self, year: int, model: str = "combined", decimals: int = 4) -> str:
        """A scenario-file line ``growth = { dist = "normal", mean = .., sd = .. }``.

        Values are fractions rounded to ``decimals`` places.
        """
        d = self.normal(year, model)
        return (
            f'growth = {{ dist = "normal", mean = {d["mean"]:.{decimals}f}, '
            f"sd = {d['sd']:.{decimals}f} }}"
        )

    def to_frame(self, paths: bool = False) -> pd.DataFrame:
        """Tidy table of the predictive distributions.

        Parameters
        ----------
        paths : bool
            False (default): one row per model (and ``combined``) and year with
            ``weight``, ``mean``, ``sd`` and quantiles ``q02.5`` … ``q97.5``. True: the
            simulated paths, one row per model, path and year (column ``growth``).

        Returns
        -------
        pandas.DataFrame
            Growth as **fractions**.
        """
        sets = {"combined": self.paths, **self.model_paths}
        if paths:
            frames = []
            for name, arr in sets.items():
                n, h = arr.shape
                frames.append(
                    pd.DataFrame(
                        {
                            "model": name,
                            "path": np.repeat(np.arange(n), h),
                            "year": np.tile(np.array(self.years), n),
                            "growth": arr.ravel(),
                        }
                    )
                )
            return pd.concat(frames, ignore_index=True)
        rows = []
        for name, arr in sets.items():
            qs = np.quantile(arr, QUANTILES, axis=0)
            for j, year in enumerate(self.years):
                row: dict[str, Any] = {
                    "model": name,
                    "year": year,
                    "weight": 1.0 if name == "combined" else self.weights.get(name, 0.0),
                    "mean": float(arr[:, j].mean()),
                    "sd": float(arr[:, j].std(ddof=1)),
                }
                row |= {f"q{100 * q:04.1f}": float(qs[i, j]) for i, q in enumerate(QUANTILES)}
                rows.append(row)
        return pd.DataFrame(rows)

    def to_string(self) -> str:
        """Plain-text report for the CLI: combined distribution per year, then weights."""
        lines = [
            f"Forecast of growth from {len(self.paths)} simulated paths "
            f"(fitted on {self.data.years[0]}–{self.data.years[-1]}, parameter uncertainty "
            f"{'on' if self.parameter_uncertainty else 'off'}, weights: {self.weighting}). "
            "Growth in percent.",
        ]
        rows = []
        for year in self.years:
            x = 100 * self.sample(year)
            q = np.quantile(x, [0.1, 0.5, 0.9])
            rows.append(
                {
                    "year": year,
                    "mean": x.mean(),
                    "sd": x.std(ddof=1),
                    "p10": q[0],
                    "p50": q[1],
                    "p90": q[2],
                }
            )
        lines.append(pd.DataFrame(rows).set_index("year").to_string(float_format="%.2f"))
        summ = self.summary().drop(columns="description")
        lines.append(summ.to_string(float_format="%.3f"))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_string()

    def summary(self) -> pd.DataFrame:
        """Per model: weight, out-of-sample errors (percentage points), description.

        Returns
        -------
        pandas.DataFrame
            Indexed by model: ``kind``, ``weight``, ``n_origins``, ``mae_pp``,
            ``rmse_pp``, ``crps_pp`` (rolling-origin, one step ahead), ``description``.
        """
        table = self.backtest.table()
        rows = []
        for name in self.model_paths:
            row = table.loc[name] if name in table.index else None
            rows.append(
                {
                    "model": name,
                    "kind": "benchmark" if name in BENCHMARKS else "model",
                    "weight": self.weights.get(name, 0.0),
                    "n_origins": int(row["n_origins"]) if row is not None else 0,
                    "mae_pp": row["mae_pp"] if row is not None else math.nan,
                    "rmse_pp": row["rmse_pp"] if row is not None else math.nan,
                    "crps_pp": row["crps_pp"] if row is not None else math.nan,
                    "description": self.fits[name].info.get("description", ""),
                }
            )
        return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------- entry point


def forecast(
    series: pd.Series | Mapping[int, float],
    horizon: int = 3,
    models: Sequence[str] | None = None,
    n_sims: int = 2000,
    seed: int = 0,
    min_train: int = 5,
    *,
    parameter_uncertainty: bool = True,
    weighting: Weighting = "inverse_mse",
    gaps: Gaps = "tail",
    lower_bound: Iterable[int] | pd.Series | None = None,
    estimate: Iterable[int] | pd.Series | None = None,
) -> ForecastResult:
    """Forecast an annual growth rate ``horizon`` years past its last figure.

    Parameters
    ----------
    series : pandas.Series or mapping
        Growth as a **fraction** (0.098 = 9.8 %), indexed by year, e.g.
        :func:`lgsim.datasets.growth_series`. Use published growth rates: never
        compute them from levels across a method break (Longgang 2016→2017).
    horizon : int
        Number of years to forecast (Longgang's last figure is 2020, so horizon 2
        reaches the 2022 target year; 2021 is forecast, not known).
    models : sequence of str, optional
        Subset of :data:`MODELS` to fit and combine; default all five (the two naive
        benchmarks are candidates too: if they forecast better, they get the weight).
    n_sims : int
        Simulated paths per model (and in the combination).
    seed : int
        Seed (≥ 0). Each model's draws are keyed by ``(seed, model, year)`` through
        blake2b, so adding or reordering models changes no other model's draws.
    min_train : int
        Fewest figures before a backtest origin is used for the weights (≥ 4).
    parameter_uncertainty : bool
        True (default): every path uses its own parameter draw (see Notes). False:
        plug-in maximum-likelihood parameters, shocks only — narrower intervals, for
        comparison.
    weighting : {"inverse_mse", "best_crps", "equal"}
        How the combination weighs the models (see :func:`model_weights`), from the
        rolling-origin backtest on the same data.
    gaps : {"tail", "nan"}
        ``"tail"`` (default): fit on the longest run of consecutive years ending at the
        last figure (Longgang 2012–2020; 2005 and 2010 are dropped). ``"nan"``: keep
        every year from the first figure, unpublished years as NaN; the ARIMA and local
        level models handle them in the Kalman filter, the benchmarks use the
        published years (a random-walk step over a gap of k years has variance k σ²),
        ETS (which takes no missing values) still uses the contiguous tail.
    lower_bound, estimate : iterable of int or boolean Series, optional
        Years whose figure is a lower bound / estimate; default from ``series.attrs``.

    Returns
    -------
    ForecastResult

    Notes
    -----
    Fitting. ``ar1`` and ``local_level`` are fitted by exact Gaussian maximum likelihood
    (statsmodels state space, Kalman filter); ``ets`` by statsmodels ``ETSModel``; the
    benchmarks by moments. Lower-bound figures are fitted at their stated value (the
    true value is at least that), estimates as stated.

    Parameter uncertainty. For ``ar1`` (mean, φ, σ²) and ``local_level`` (σ²
    irregular, σ² level), each path draws its parameters from the estimated asymptotic
    normal ``N(params, cov_params)``, truncated by rejection to the admissible region
    (|φ| < 1, variances ≥ 0), and is then simulated with them: for ``local_level`` the
    Kalman filter is rerun with the drawn variances to get the level at the last year
    and its variance. For ``ets`` the statsmodels estimates sit on the parameter bounds
    with these short series and its covariance is undefined (NaN), so the draws come
    from the exact posterior on a grid of smoothing parameters (flat prior), with the
    initial state (flat prior) and σ² (prior 1/σ²) integrated out analytically. The
    benchmarks draw σ² from its scaled inverse χ² posterior (and the mean from its
    normal posterior), which makes their predictive intervals the classical Student-t
    prediction intervals. Shocks come from a separate stream, so runs with and without
    parameter uncertainty share them.

    Weights. The models are backtested one step ahead from every origin with at least
    ``min_train`` figures (:func:`lgsim.backtest.backtest`) and weighted by inverse MSE
    (default). The combination takes ``round(w × n_sims)`` whole paths from each model.
    """
    from .backtest import backtest as run_backtest

    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon: expected an integer >= 1, found {horizon!r}")
    if not isinstance(n_sims, int | np.integer) or n_sims < 2:
        raise ValueError(f"n_sims: expected an integer >= 2, found {n_sims!r}")
    seed = _check_seed(seed)
    names = check_models(models)
    data = prepare(series, gaps, lower_bound, estimate)
    notes = []
    if data.dropped:
        notes.append(
            "gaps='tail': fitted on "
            f"{data.years[0]}–{data.years[-1]}; dropped {', '.join(map(str, data.dropped))}"
        )
    bt = run_backtest(
        data,
        models=names,
        min_train=min_train,
        n_sims=n_sims,
        seed=seed,
        parameter_uncertainty=parameter_uncertainty,
        weighting=weighting,
    )
    weights = model_weights(bt.scores(names), weighting)
    if bt.n_origins == 0:
        notes.append(f"no backtest origin with {min_train} figures: equal weights")
    last = int(data.years[-1])
    years = tuple(range(last + 1, last + 1 + int(horizon)))
    fits: dict[str, FittedModel] = {}
    model_paths: dict[str, np.ndarray] = {}
    for name in names:
        fits[name] = fit_model(name, data)
        model_paths[name] = fits[name].simulate(
            int(horizon), int(n_sims), _rngs(seed, "forecast", name, last), parameter_uncertainty
        )
    combined = mix(model_paths, weights)
    # mix() stacks the models' paths in blocks; a keyed permutation makes the row
    # order carry no model information (rows may be paired with other draws).
    combined = combined[_rngs(seed, "combine", last)[1].permutation(len(combined))]
    return ForecastResult(
        years=years,
        paths=combined,
        model_paths=model_paths,
        weights=weights,
        backtest=bt,
        fits=fits,
        data=data,
        parameter_uncertainty=parameter_uncertainty,
        weighting=weighting,
        notes=tuple(notes) + bt.notes,
    )
