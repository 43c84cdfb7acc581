"""Values worked out once per index segment and field, kept per process.

A segment never changes once written (deletions aside, which matchers skip), so what is read from it, a
decoded column or its documents' field lengths, is read once and kept under (segment id, field); a reader
of no segment (an empty index) is never kept. The most recently used `size` entries stay.
"""
import threading
from collections import OrderedDict


class SegmentCache:
    """{(segment id, field): value}, filled by `get`, the most recently used `size` kept."""

    def __init__(self, size: int):
        self._size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, reader, name: str, read):
        """The value for this segment's reader and field: kept, or `read(reader, name)` now and kept."""
        segment = getattr(reader, "segment", None)
        key = (segment().segid, name) if segment else None
        with self._lock:
            value = self._values.get(key) if key else None
            if value is not None:
                self._values.move_to_end(key)
                return value
        value = read(reader, name)
        if key:
            with self._lock:
                self._values[key] = value
                if len(self._values) > self._size:
                    self._values.popitem(last=False)
        return value

    def __iter__(self):
        """The (segment id, field) keys kept."""
        with self._lock:
            return iter(list(self._values))

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()
