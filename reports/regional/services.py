"""Building and emailing the regional monthly bulletin (区域月报).

One bulletin per region and month: a rebuild overwrites its figures and its workbook (stored
privately, served by reports.regional.views.bulletin_download after a region check). It is
emailed to the region's active recipients by reports.services.deliver_to_recipients, the
hall bulletins' claim-send-mark loop: each recipient once, a retry skips those served, a
fresh claim of another attempt is waited for, a stale one sent again with its Message-ID.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.services import XLSX_TYPE, bulletin_store, deliver_to_recipients
from windows.models import Region
from windows.rules.hall_time import month_of

from .models import RegionalBulletin, RegionalBulletinRecipient
from .selectors import HallRow, region_halls, regional_ranking
from .workbook import write_regional_workbook


class RegionalBulletinNoHalls(Exception):
    """The region has no hall: there is nothing to rank."""


def _row_figures(row: HallRow) -> dict:
    return {
        "rank": row.rank,
        "hall": row.hall.code,
        "hall_name": row.hall.name,
        "visits": row.visits,
        "items": row.items,
        "business_days": row.business_days,
        "daily_average_items": row.daily_average_items,
        "evaluation_rate_pct": row.evaluation_rate_pct,
        "satisfaction_rate_pct": row.satisfaction_rate_pct,
        "reached_callback": row.reached_callback,
        "called_back": row.called_back,
        "callback_rate_pct": row.callback_rate_pct,
        "overdue_cases": row.overdue_cases,
        "measures": row.measures,
        "measures_finished": row.measures_finished,
        "completion_rate_pct": row.completion_rate_pct,
        "ranks": dict(row.ranks),
    }


@transaction.atomic
def regional_bulletin_build(*, region: Region, day: dt.date) -> RegionalBulletin:
    """Build, or rebuild, the region's bulletin of the month containing day.

    Raises RegionalBulletinNoHalls when the region has no hall (nothing is stored)."""
    start, end = month_of(day)
    if not region_halls(region).exists():
        raise RegionalBulletinNoHalls(
            _("The region %(region)s has no hall.") % {"region": region.code}
        )
    ranking = regional_ranking(region=region, start=start, end=end)
    bulletin, _created = RegionalBulletin.objects.select_for_update().get_or_create(
        region=region,
        period_start=start,
        defaults={"period_end": end, "built_at": timezone.now()},
    )
    output = io.BytesIO()
    write_regional_workbook(ranking=ranking, output=output)
    bulletin.period_end = end
    figures = {"halls": [_row_figures(row) for row in ranking.rows]}
    bulletin_store(bulletin=bulletin, figures=figures, workbook=output.getvalue())
    return bulletin


def _message(*, bulletin: RegionalBulletin, recipient: RegionalBulletinRecipient) -> EmailMessage:
    context = {"bulletin": bulletin, "recipient": recipient, "figures": bulletin.figures}
    subject = " ".join(
        render_to_string("reports/regional/email/bulletin_subject.txt", context).split()
    )
    body = render_to_string("reports/regional/email/bulletin_body.txt", context)
    message = EmailMessage(subject, body, to=[recipient.email])
    if bulletin.workbook:
        with bulletin.workbook.open("rb") as workbook:
            message.attach(bulletin.workbook_filename, workbook.read(), XLSX_TYPE)
    return message


def regional_bulletin_send(*, bulletin: RegionalBulletin) -> int:
    """Email the bulletin to every active recipient of its region not served yet; returns
    how many emails went out (reports.services.deliver_to_recipients' rules and errors)."""
    recipients = RegionalBulletinRecipient.objects.filter(
        region=bulletin.region_id, is_active=True
    ).order_by("email")
    return deliver_to_recipients(bulletin=bulletin, recipients=recipients, message_for=_message)
