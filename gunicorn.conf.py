"""Gunicorn's hooks for the web process (`--config gunicorn.conf.py`: the Procfile, bench/load.py).

The Procfile's command line carries the settings an operator changes (bind, workers, timeouts);
this module carries what every worker does once it is loaded.
"""

from __future__ import annotations

import gc


def post_worker_init(worker) -> None:
    """Load every view, then freeze the loaded objects out of the garbage collector's way.

    A loaded worker holds about 200,000 objects: Django, the libraries, the project's modules
    and URL configuration. They live as long as the worker, yet the collector's full pass walks
    them all, about once every thousand requests: 80 to 180 ms during which the worker answers
    nobody, and the requests queued behind it wait too. Frozen (``gc.freeze()``), they are left
    out of every pass; the collector goes on collecting what requests make, in passes of a few
    milliseconds. Measured in docs/PERFORMANCE.md ("The collector's pauses").
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports the URL configuration, hence every view
    gc.collect()
    gc.freeze()
    worker.log.info("Worker ready: %d objects frozen out of the garbage collector's passes", gc.get_freeze_count())
