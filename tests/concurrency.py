"""Run a job on several real threads at once (each its own PostgreSQL connection), released
together by a barrier — the "two workers at the same moment" of the concurrency tests."""

import threading

from django.db import connection


def at_once(fn, workers=2) -> list:
    """fn() on `workers` threads started together; their results, or the first error raised."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 — re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
