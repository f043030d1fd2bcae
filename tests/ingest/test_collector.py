"""The young-generation threshold is raised while any batch is in flight and restored after."""

from __future__ import annotations

import gc
import threading

from hub.ingest.collector import YOUNG_THRESHOLD, fewer_collections


def test_raised_while_any_batch_is_in_flight_then_restored() -> None:
    before = gc.get_threshold()
    started, release = threading.Event(), threading.Event()

    def preparing() -> None:  # another batch, in another thread, meanwhile
        with fewer_collections():
            started.set()
            release.wait()

    with fewer_collections():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        worker = threading.Thread(target=preparing)
        worker.start()
        started.wait()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # the worker's batch is still in flight
    release.set()
    worker.join()
    assert gc.get_threshold() == before


def test_automatic_collection_left_off() -> None:
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
