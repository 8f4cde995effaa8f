"""Property tests: their scenario strategies live in this folder, and the
Hypothesis profile decides which examples they try.

The suite (and CI) tries the same examples on every run, so a red build always
means a change broke something. ``HYPOTHESIS_PROFILE=explore`` draws fresh
examples to hunt for new bugs; turn each one it finds into a plain regression
test (as at the end of ``test_invariants.py``).
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
