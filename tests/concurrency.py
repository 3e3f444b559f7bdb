"""Run a job on several real threads at once (each its own PostgreSQL connection), released
together by a barrier — the "two workers at the same moment" of the concurrency tests."""

import contextlib
import threading

from django.db import connection, transaction


def at_once(fn, workers=2) -> list:
    """fn() on `workers` threads started together; their results, or the first error raised."""
    return together(*[fn] * workers)


def together(*fns) -> list:
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


def in_thread(fn):
    """Start fn() on its own thread; returns the thread and a box that gets its "value" or "error"."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 — the test inspects it
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


@contextlib.contextmanager
def holding_locks(fn):
    """fn() in a transaction on another thread, left open — its row locks held — while the
    with-block runs, then committed; yields the box that gets fn's "value" or "error"."""
    holds, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            value = fn()
            holds.set()
            release.wait(10)
            return value

    thread, box = in_thread(hold)
    try:
        assert holds.wait(10), box.get("error")
        yield box
    finally:
        release.set()
        thread.join(10)
