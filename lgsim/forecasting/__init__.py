"""Forecasting an annual growth rate from its own history: the parts.

``data``
    :class:`~lgsim.forecasting.series.GrowthData` and :func:`~lgsim.forecasting.series.prepare`
    (the series on a consecutive grid, gaps, lower-bound and estimate flags).
``streams``
    Keyed random generators (order-free; parameter draws apart from shocks).
``models``
    The candidate models (AR(1), local level, ETS, two naive benchmarks): fits and
    simulation with parameter uncertainty.
``combine``
    Model weights from out-of-sample scores, and the mixture of paths.
``scores``
    CRPS, log score, PIT and a uniformity test (from the scoringrules library).
``errors``
    Pseudo-real-time forecast errors by vantage, and the spread fitted to them.
``asof``
    A scenario's organic model: its sector structure, and the model "as of" a past year.
``spread``
    :func:`~lgsim.forecasting.spread.calibrate_spread`: the organic spread from past
    errors (``lgsim calibrate``).
``engine_backtest``, ``engine_report``
    :func:`~lgsim.forecasting.engine_backtest.backtest_engine`: the scenario engine
    scored out of sample (``lgsim backtest --engine``), and its text.

The entry points are :func:`lgsim.forecasting.forecast.forecast`,
:func:`lgsim.forecasting.backtest.backtest`, :func:`lgsim.forecasting.calibrate.calibrate`,
:func:`lgsim.forecasting.spread.calibrate_spread` and
:func:`lgsim.forecasting.engine_backtest.backtest_engine`.
"""
