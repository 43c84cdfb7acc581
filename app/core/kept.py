"""The most recently used values of a process, by key: what `fragments` and `pagecache` remember."""
import threading
from collections import OrderedDict


class Kept:
    """At most `size` values, the least recently used forgotten first; safe across a process's threads."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept under `key` (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        """Keep `value` under `key`, forgetting the least recently used value past `size`."""
        with self._lock:
            self._items[key] = value
            if len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
