"""Run a job on several real threads at once (each its own PostgreSQL connection), released
together by a barrier — the "two workers at the same moment" of the concurrency tests."""

import threading

from django.db import connection


def at_once(fn, workers=2) -> list:
    """fn() on `workers` threads started together; their results, or the first error raised."""
    return each_at_once(*[fn] * workers)


def each_at_once(*fns) -> list:
    """Each of `fns` on its own thread, all started together; their results in the order of
    `fns`, or the first error raised (re-raised in the test's thread)."""
    barrier = threading.Barrier(len(fns))
    results, errors = [None] * len(fns), []

    def run(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
