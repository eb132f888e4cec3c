"""Emails that go out once: each carries a Message-ID the portal chose and recorded on its
claim before the SMTP call, so a copy sent again after a dead attempt (the one window a
claim cannot close) is the same message to the receiving side. Used by the bulletins, the
daily reminders and the duty-leader alerts."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME


def new_message_id() -> str:
    return make_msgid(domain=DNS_NAME)


def send_mail(subject: str, body: str, from_email, recipient_list, *, message_id: str) -> int:
    """Django's send_mail, with the Message-ID recorded on the claim."""
    message = EmailMessage(subject, body, from_email, recipient_list)
    message.extra_headers["Message-ID"] = message_id
    return message.send()
