"""Studies built on runs: comparisons, what-if helpers, target-seeking and sensitivity.

``compare``
    Scenarios on common random numbers, paired differences to the first.
``whatif``
    Changing scenarios (new projects, removed entries, named variants).
``solve``
    The value of one lever that lifts P(target met) to a requested level.
``sensitivity``
    Tornado, Sobol and Morris rankings of the uncertain inputs.
"""
