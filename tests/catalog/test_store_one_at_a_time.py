"""`OneAtATime`: the looks at the store many requests make at once run one at a time; those
who waited for a look that failed fail with it instead of each trying the store again in turn
(issue 17: with the store hung, the last of 100 requests waited out the whole outage)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalog.errors import StoreReadFailed
from catalog.store import OneAtATime, OneAtATimeEach

WAITERS = 20


def test_those_waiting_for_a_failed_call_fail_with_it_without_calling() -> None:
    looks = OneAtATime()
    calls = []
    started = threading.Event()

    def hung() -> str:
        calls.append("hung")
        started.set()
        time.sleep(0.5)  # a look at a hung store, given up after its time limit
        raise StoreReadFailed("the store did not answer")

    def look() -> str:
        calls.append("look")
        return "answered"

    with ThreadPoolExecutor(WAITERS + 1) as pool:
        first = pool.submit(looks, hung)
        started.wait(5)
        waiting = [pool.submit(looks, look) for _ in range(WAITERS)]
        began = time.monotonic()
        outcomes = [w.exception(timeout=10) for w in waiting]
        took = time.monotonic() - began
    assert isinstance(first.exception(), StoreReadFailed)
    assert all(isinstance(o, StoreReadFailed) for o in outcomes), outcomes
    assert calls == ["hung"]  # nobody tried again: 20 in turn would have taken 10 s here
    assert took < 2.0, took


def test_a_caller_after_a_failure_calls_again_and_the_failure_is_not_kept() -> None:
    looks = OneAtATime()
    with pytest.raises(StoreReadFailed):
        looks(lambda: (_ for _ in ()).throw(StoreReadFailed("down")))
    assert looks(lambda: "back") == "back"
    assert looks(lambda: "again") == "again"


def test_waiters_of_a_call_that_succeeded_make_their_own_calls_one_at_a_time() -> None:
    # A waiter must not take another's answer: a writer that asked to look again looks again.
    looks = OneAtATime()
    running = [0]
    most = [0]
    lock = threading.Lock()

    def call(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return n

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: looks(lambda: call(n)), range(40)))
    assert answers == list(range(40))
    assert most[0] == 1


def test_each_key_has_its_own_turns_and_none_is_kept_after() -> None:
    looks = OneAtATimeEach[str]()
    inside = threading.Barrier(2, timeout=5)  # both keys inside their call at once, or it breaks

    def call(key: str) -> str:
        inside.wait()
        return key

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda key: looks(key, lambda: call(key)), ["a", "b"]))
    assert answers == ["a", "b"]
    assert looks._each == {}  # the table holds only keys being read
