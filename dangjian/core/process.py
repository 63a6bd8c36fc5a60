"""What a web server process does once the application is loaded, before it serves (dangjian/wsgi.py)."""

from __future__ import annotations

import gc

from django.db import connections


def ready_to_serve(*, close_connections: bool = True) -> None:
    """Load the word dictionaries (masking's tagger, the search words) now, not during the first citizen's
    request: loading takes seconds and held every POST behind it. Then close any database connection (forked
    workers must not share one) and freeze the garbage collector's view of everything loaded so far: it lives
    as long as the process, and a full collection that walks it (the dictionaries hold millions of references)
    cost 100-200 ms of a page every few requests; frozen, a collection walks only what requests made. Under
    gunicorn --preload this runs once in the master, and the forked workers share the frozen pages."""
    from dangjian.core import masking, text

    masking.warm_up()
    text.tokenize_warm_up()
    if close_connections:
        connections.close_all()
    gc.collect()
    gc.freeze()
