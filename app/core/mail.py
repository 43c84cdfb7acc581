"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise a file in instance/mail/ and the console."""
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from app.core.timeutil import utcnow


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    if cfg.get("MAIL_SERVER"):
        msg.set_content(body)
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return
    msg.set_content(body, cte="8bit")  # the outbox is read by people: keep the text and its links as they are
    outbox = Path(cfg["INSTANCE_DIR"]) / "mail"
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    (outbox / name).write_bytes(bytes(msg))
    if not current_app.testing:
        print(f"--- mail to {to} ({outbox / name}) ---\n{subject}\n\n{body}\n---", flush=True)
