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

The entry points are :func:`lgsim.forecasting.forecast.forecast`,
:func:`lgsim.forecasting.backtest.backtest` and :func:`lgsim.forecasting.calibrate.calibrate`.
"""
