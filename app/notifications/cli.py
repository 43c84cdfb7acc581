"""`flask notifications send-immediate | send-digests`."""
import click
from flask.cli import AppGroup

notifications = AppGroup("notifications", help="Notification mail.")


def _send(mode):
    from app.notifications.operations import send_pending

    sent = send_pending(mode)
    click.echo(f"Sent {sent} mails.")


@notifications.command("send-digests")
def send_digests():
    """Mail the daily digest to users who chose it and have something new, grouped by subject."""
    _send("daily")


@notifications.command("send-immediate")
def send_immediate():
    """Mail pending notifications to users who want them at once (run every few minutes)."""
    _send("immediate")


GROUPS = (notifications,)
