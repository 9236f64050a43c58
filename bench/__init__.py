"""Benchmarks at scale: a data generator (``generate.py``) and one script per measured area.

The scripts run from the project folder (``python bench/generate.py --scale medium``);
importing this package sets Django up with the project's settings, which read
``DATABASE_URL`` from the environment. See ``bench/README.md``.
"""

import os
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # generated files (git-ignored)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
django.setup()
