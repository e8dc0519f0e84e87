"""The candidate models: fits to a growth series and simulation with parameter uncertainty.

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

:func:`fit_model` returns a :class:`FittedModel` whose ``simulate`` draws future paths,
each with its own parameter draw (see ``docs/forecasting.md``). Growth is a **fraction**;
variances are in fraction². statsmodels is imported inside the fitting functions
(importing it costs about a second).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import N_, Message, _
from .series import GrowthData
from .streams import Rngs

#: All model names, in display order.
MODELS: tuple[str, ...] = ("ar1", "local_level", "ets", "naive_last", "naive_mean")
#: The naive benchmarks (always reported by :func:`lgsim.forecasting.backtest.backtest`).
BENCHMARKS: tuple[str, ...] = ("naive_last", "naive_mean")
#: Fewest observations a fit may use (AR(1) has three parameters).
MIN_OBS: int = 4
#: Fewest years in the ETS span before the damped-trend variant is tried.
ETS_DAMPED_MIN_OBS: int = 10


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
    for _round in range(max_rounds):
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
        raise ValueError(_("ets: needs {least} consecutive years, found {n}").format(
            least=MIN_OBS, n=n))
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
        raise ValueError(_("models: unknown model {name!r}; expected one of {names}").format(
            name=name, names=", ".join(MODELS)))
    if data.n_obs < MIN_OBS:
        raise ValueError(_("{name}: needs at least {least} figures, found {n}").format(
            name=name, least=MIN_OBS, n=data.n_obs))
    return _FITTERS[name](data)


def cannot_fit(name: str, data: GrowthData) -> str | None:
    """Why ``name`` cannot be fitted to ``data`` (without trying), or None if it can.

    Every model needs :data:`MIN_OBS` figures; ``ets`` needs them consecutive at the end
    of the span (``ETSModel`` takes no missing values).
    """
    if data.n_obs < MIN_OBS:
        return Message(N_("needs at least {least} figures, found {n}"), least=MIN_OBS,
                       n=data.n_obs)
    if name == "ets":
        n = len(_contiguous_tail(data))
        if n < MIN_OBS:
            return Message(N_("needs {least} consecutive years at the end, found {n}"),
                           least=MIN_OBS, n=n)
    return None


def drop_unfittable(names: Sequence[str], data: GrowthData) -> tuple[tuple[str, ...], list[str]]:
    """The models of ``names`` that can be fitted to ``data``, and a note per dropped one.

    Raises
    ------
    ValueError
        If ``data`` has fewer than :data:`MIN_OBS` figures (no model can be fitted).
    """
    if data.n_obs < MIN_OBS:
        raise ValueError(_("series: needs at least {least} figures, found {n}").format(
            least=MIN_OBS, n=data.n_obs))
    kept, notes = [], []
    for name in names:
        reason = cannot_fit(name, data)
        if reason is None:
            kept.append(name)
        else:
            notes.append(Message(N_("{model} left out: {reason}"), model=name, reason=reason))
    return tuple(kept), notes


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
            _("models: unknown {names}; expected some of {known}").format(
                names=", ".join(map(repr, unknown)) or _("empty list"), known=", ".join(MODELS))
        )
    return out
