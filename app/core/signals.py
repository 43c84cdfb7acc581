"""Helpers for blinker signals shared by every feature."""


def values_from_signal(results) -> dict:
    """Merge the dicts that receivers returned from `signal.send(...)` (indico's values_from_signal)."""
    merged: dict = {}
    for _receiver, value in results:
        if value:
            merged.update(value)
    return merged


def sum_from_signal(results) -> int:
    """Add up the numbers receivers returned."""
    return sum(value or 0 for _receiver, value in results)
