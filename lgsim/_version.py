"""The lgsim version (one place; read by the package, the results and the files it writes)."""

__version__ = "0.1.0"
