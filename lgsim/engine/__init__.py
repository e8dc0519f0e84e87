"""One chunk of replications: the simulation of a scenario, without any file or statistic.

``plan``
    :func:`compile_plan`: the scenario compiled once (project slots, static arrays).
``streams`` / ``draws``
    Every random draw of a chunk, from lanes keyed by (seed, entity, field).
``lifecycle`` / ``pauses`` / ``timeline``
    *When*: the land queue in simpy, pauses of construction clocks, starts and finishes.
``accounting`` / ``_beta``
    *How much*: the model's equations as array functions; fast Beta CDFs.
``assemble`` / ``chunk``
    :func:`simulate_chunk`: draws → timeline → accounting → the chunk's arrays.
"""

from .chunk import KEEP_OPTIONS, simulate_chunk
from .plan import Plan, compile_plan

__all__ = ["KEEP_OPTIONS", "Plan", "compile_plan", "simulate_chunk"]
