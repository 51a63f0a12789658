"""Configuration for the clinical-core tests. Nothing here may import Django: these tests
run with `pytest tests/clinical -p no:django` too."""

from __future__ import annotations

import sys
from pathlib import Path

# Make `ketacare` and `tests` importable when the project is not pip-installed and pytest's
# rootdir is not on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
