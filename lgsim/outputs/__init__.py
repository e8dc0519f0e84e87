"""What a user reads: the terminal headline, the run directory, charts and HTML reports.

``headline``
    The plain-text headline of a run.
``rundir``
    The run directory (summary, results, resolved scenario, CSV tables, log).
``study_files``
    The files of a comparison, a sensitivity study and a target-seeking study.
``evidence_files``
    The files of an engine backtest (``lgsim backtest --engine``).
``plots``
    Charts in Chinese (matplotlib, bundled font).
``report``
    Self-contained HTML reports.
"""
