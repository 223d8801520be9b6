"""Values kept for a few seconds per process: figures that may lag a little behind the rows.

The home page's counts (vetted freelancers, published missions) are read by every visitor;
counting thousands of rows for each is wasted when a figure a minute old says the same.
Only for figures shown as such: never for what a decision, a form or a permission reads.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable


class Expiring:
    """``get(key, compute)``: the value computed less than ``seconds`` ago, else ``compute()`` now."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = self.clock()
        with self._lock:
            kept = self._values.get(key)
            if kept is not None and now - kept[0] < self.seconds:
                return kept[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
