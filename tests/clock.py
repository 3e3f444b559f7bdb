"""A test module whose every test runs at one frozen moment."""

import pytest
import time_machine


def frozen_at(moment):
    """An autouse fixture freezing the clock at `moment` for each test of the module that
    assigns it (`_frozen = frozen_at("2026-11-24 10:00:00+08:00")`); the database is set up
    before it, on the real clock."""

    @pytest.fixture(autouse=True)
    def _frozen():
        with time_machine.travel(moment, tick=False):
            yield

    return _frozen
