"""Steps a stop must not cut in half.

Ctrl-C and SIGTERM raise in the main thread wherever it happens to be. Between a finished briefing
arriving from its worker and its line in the manifest, that would leave a briefing on disk that the
manifest does not know. :func:`held` delays the two signals to the end of such a step, where the
handler that was in place (Python's own for SIGINT, the command line's for SIGTERM) then runs.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = threading.local()


@contextmanager
def held():
    """Run the body with SIGINT and SIGTERM held back; deliver the first one that came at its end.

    Outside the main thread (where Python delivers no signal) and inside another ``held`` this does
    nothing more than run the body."""
    if threading.current_thread() is not threading.main_thread() or getattr(_state, "holding", False):
        yield
        return
    pending: list[int] = []

    def hold(signum, frame):
        pending.append(signum)

    previous = {}
    try:
        for s in _SIGNALS:
            previous[s] = signal.signal(s, hold)
        _state.holding = True
        yield
    finally:
        _state.holding = False
        for s, handler in previous.items():
            signal.signal(s, handler)
        if pending:
            _deliver(pending[0], previous[pending[0]])


def _deliver(signum: int, handler) -> None:
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)
