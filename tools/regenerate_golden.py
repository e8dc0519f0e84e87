"""Rewrite the golden files of the test suite, on purpose, after an intended change.

    python tools/regenerate_golden.py

writes ``tests/golden/base_summary.json``: the ``summary.json`` of
``python -m lgsim run scenarios/base.toml`` (the scenario's own seed and run size).
``tests/test_golden.py`` compares a fresh run with it byte for byte, so any change to
the numbers of the base scenario fails the suite until this script is run again and the
diff (``git diff tests/golden``) is reviewed and committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lgsim import load_scenario, run  # noqa: E402
from lgsim.outputs.rundir import summary_text  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "base_summary.json"


def main() -> None:
    """Run the base scenario and write its summary as the golden file."""
    results = run(load_scenario(ROOT / "scenarios" / "base.toml"), workers=1)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(summary_text(results), encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
