"""Child processes the tests start (celery workers) are stopped the same way everywhere."""

import os
import signal
import subprocess


def stop_process_group(proc, timeout=15):
    """Ask the process group of `proc` to stop (SIGTERM: a warm shutdown), and kill it if it has
    not stopped within `timeout` seconds, so that no worker outlives its test."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)
