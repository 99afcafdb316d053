"""A per-call time limit for pure-Python work: ``call_with_deadline(fn, seconds)``.

Spark's Python worker runs a kernel in the process's main thread, so the limit is a one-shot
``ITIMER_REAL`` whose SIGALRM handler raises ``DeadlineExceeded``. Off the main thread (a
threaded executor, a test runner's thread) a watchdog timer thread injects the same exception
into the calling thread with ``PyThreadState_SetAsyncExc``. Both interrupt Python code between
two bytecodes; neither can interrupt one long C call (an lxml parse, a resiliparse
extraction): the exception is raised when that call returns. A caller bounds its C calls
itself, by capping their input (see ``sparkops.ops.web.extract``).

``DeadlineExceeded`` derives from BaseException so that a library's ``except Exception``
(trafilatura has several) cannot swallow it and carry on past the deadline.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


class DeadlineExceeded(BaseException):
    """The call ran past its time limit (BaseException: library code must not catch it)."""


def call_with_deadline(fn: Callable[[], T], seconds: float | None) -> T:
    """``fn()``, or DeadlineExceeded once it has run ``seconds`` (None or <= 0: no limit)."""
    if seconds is None or seconds <= 0:
        return fn()
    if _alarm_is_free():
        return _with_alarm(fn, seconds)
    return _with_watchdog(fn, seconds)


def _alarm_is_free() -> bool:
    # SIGALRM handlers only ever run in the main thread; and an ITIMER_REAL someone else armed
    # (signal.alarm included) must not be cancelled by ours
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))


def _raise_deadline(signum, frame):
    raise DeadlineExceeded()


def _with_alarm(fn: Callable[[], T], seconds: float) -> T:
    previous = signal.signal(signal.SIGALRM, _raise_deadline)
    try:
        # one-shot (interval 0): the handler runs at most once, so at most one DeadlineExceeded
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return fn()
    finally:
        # if the alarm fires in here, before the timer is off, the call is reported as over
        # its deadline (it was, within microseconds); the handler is restored either way
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


def _with_watchdog(fn: Callable[[], T], seconds: float) -> T:
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def fire():
        with lock:  # never inject into a caller that has already moved on
            if state["running"]:
                state["fired"] = True
                _set_async_exc(target, ctypes.py_object(DeadlineExceeded))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        return fn()
    finally:
        timer.cancel()
        with lock:
            state["running"] = False
            if state["fired"]:
                # fired as fn returned: the exception may still be pending; clear it (NULL) so it
                # cannot surface later in unrelated code
                _set_async_exc(target, None)
