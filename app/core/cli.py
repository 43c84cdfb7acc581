"""Helpers shared by the features' command groups."""
from datetime import datetime, timezone

import click

from app.core.timeutil import utcnow


def parse_now(text: str | None) -> datetime:
    """`--now` as an aware datetime (UTC when no offset is given); now when not given."""
    if not text:
        return utcnow()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {text}", param_hint="--now") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
