"""The annual review's analysis sheet (分析 / Analysis, issue 15 item 4): the year's story
from reports.selectors.annual_story in sentences, in the active language (Chinese in
zh-hans, English under English), each a text cell.

Every sentence is a gettext template with named placeholders, put together from clauses
with translated separators (；and 。 in Chinese), so each language reads as it is written.
Figures are rounded half up (windows.rules.rounding): changes and rates with 2 decimals
("140.00%"), shares and daily averages with 1, items whole with thousands separators.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.selectors.annual_story import (
    MIN_MONTH_CHANGE_PCT,
    AnnualStory,
    Driver,
    StepChange,
    UnusualMonth,
    ZoneMonth,
)
from windows.rules.rounding import percent_text
from windows.workbook_cells import cell
from windows.workbook_print import fit_row_height, print_as_list, sheet_title

from .styles import SECTION_FONT, TITLE_FONT, WRAPPED

SENTENCE_WIDTH = 75  # column A, in characters (a Chinese character takes two): as wide as
# a portrait A4 page at 100% in LibreOffice, which does not scale a sheet to its width

HEADING, SENTENCE = "heading", "sentence"


def _month(month: int) -> str:
    names = (
        pgettext("annual review month", "January"),
        pgettext("annual review month", "February"),
        pgettext("annual review month", "March"),
        pgettext("annual review month", "April"),
        pgettext("annual review month", "May"),
        pgettext("annual review month", "June"),
        pgettext("annual review month", "July"),
        pgettext("annual review month", "August"),
        pgettext("annual review month", "September"),
        pgettext("annual review month", "October"),
        pgettext("annual review month", "November"),
        pgettext("annual review month", "December"),
    )
    return names[month - 1]


def _day(day: date) -> str:
    return _("%(day)s %(month)s") % {"day": day.day, "month": _month(day.month)}


def _items(number: int) -> str:
    return f"{number:,}"


def _average(number: float) -> str:
    return f"{number:,.1f}"


def _pct(pct: float) -> str:
    return percent_text(abs(pct))


def _share(pct: float) -> str:
    return percent_text(abs(pct), places=1)


def _points(points: float) -> str:
    return f"{abs(points):.2f}"


def _sentence(*clauses: str | None) -> str:
    """Clauses joined as one sentence of the active language."""
    between = pgettext("annual analysis: between clauses", "; ")
    end = pgettext("annual analysis: end of a sentence", ".")
    return between.join(clause for clause in clauses if clause) + end


def _driver_clause(driver: Driver | None, rising: bool) -> str | None:
    if driver is None or driver.share_pct is None:
        return None
    values = {"unit": driver.name, "share": _share(driver.share_pct)}
    if not driver.carried:
        return _("no one zone or window carried it (the largest part, %(share)s, at %(unit)s)") % (
            values
        )
    if driver.change_pct is None:
        return _("driven by %(unit)s (new, %(share)s of the increase)") % values
    values["unit_pct"] = _pct(driver.change_pct)
    if rising:
        return _("driven by %(unit)s (up %(unit_pct)s, %(share)s of the increase)") % values
    return _("mostly at %(unit)s (down %(unit_pct)s, %(share)s of the decrease)") % values


def month_sentence(month: UnusualMonth) -> str:
    values = {
        "month": _month(month.month),
        "prev_month": _month(month.month - 1),
        "items": _items(month.items),
        "average": _average(month.average),
        "prev_average": _average(month.previous_average),
        "pct": _pct(month.change_pct),
    }
    rising = month.change_pct > 0
    if rising and month.continues:
        main = _(
            "%(month)s: %(items)s items, %(average)s a working day, a further %(pct)s on "
            "top of %(prev_month)s's rise (%(prev_average)s a day)"
        )
    elif rising:
        main = _(
            "%(month)s: %(items)s items, %(average)s a working day, %(pct)s more than in "
            "%(prev_month)s (%(prev_average)s a day)"
        )
    elif month.continues:
        main = _(
            "%(month)s: %(items)s items, %(average)s a working day, a further %(pct)s down "
            "after %(prev_month)s's fall (%(prev_average)s a day)"
        )
    else:
        main = _(
            "%(month)s: %(items)s items, %(average)s a working day, %(pct)s fewer than in "
            "%(prev_month)s (%(prev_average)s a day)"
        )
    peak = None
    if month.peak_day is not None:
        day, items = month.peak_day
        peak = _("the busiest day was %(day)s with %(day_items)s items") % {
            "day": _day(day),
            "day_items": _items(items),
        }
    return _sentence(main % values, _driver_clause(month.driver, rising), peak)


def zone_month_sentence(zone: ZoneMonth) -> str:
    values = {
        "month": _month(zone.month),
        "prev_month": _month(zone.month - 1),
        "unit": zone.name,
        "items": _items(zone.items),
        "average": _average(zone.average),
        "prev_average": _average(zone.previous_average),
        "pct": _pct(zone.change_pct),
        "share": _share(zone.hall_share_pct or 0),
    }
    rising = zone.change_pct > 0
    if rising and zone.continues:
        main = _(
            "%(month)s at %(unit)s: %(items)s items, %(average)s a working day, a further "
            "%(pct)s on top of %(prev_month)s's rise (%(prev_average)s a day), "
            "%(share)s of the hall's items"
        )
    elif rising:
        main = _(
            "%(month)s at %(unit)s: %(items)s items, %(average)s a working day, %(pct)s "
            "more than in %(prev_month)s (%(prev_average)s a day), %(share)s of the hall's items"
        )
    elif zone.continues:
        main = _(
            "%(month)s at %(unit)s: %(items)s items, %(average)s a working day, a further "
            "%(pct)s down after %(prev_month)s's fall (%(prev_average)s a day), "
            "%(share)s of the hall's items"
        )
    else:
        main = _(
            "%(month)s at %(unit)s: %(items)s items, %(average)s a working day, %(pct)s "
            "fewer than in %(prev_month)s (%(prev_average)s a day), %(share)s of the hall's "
            "items"
        )
    return _sentence(main % values)


def step_sentence(step: StepChange) -> str:
    values = {
        "day": _day(step.day),
        "day_items": _items(step.day_items),
        "until": _day(step.until),
        "days": step.days,
        "after": _average(step.after_average),
        "before": _average(step.before_average),
        "pct": _pct(step.change_pct),
    }
    rising = step.change_pct > 0
    if rising:
        main = ngettext(
            "From %(day)s items jumped: %(day_items)s that day, %(after)s a day to "
            "%(until)s (%(days)s working day) against %(before)s a day before, %(pct)s more",
            "From %(day)s items jumped: %(day_items)s that day, %(after)s a day to "
            "%(until)s (%(days)s working days) against %(before)s a day before, %(pct)s more",
            step.days,
        )
    else:
        main = ngettext(
            "From %(day)s items dropped: %(day_items)s that day, %(after)s a day to "
            "%(until)s (%(days)s working day) against %(before)s a day before, %(pct)s fewer",
            "From %(day)s items dropped: %(day_items)s that day, %(after)s a day to "
            "%(until)s (%(days)s working days) against %(before)s a day before, %(pct)s fewer",
            step.days,
        )
    return _sentence(main % values, _driver_clause(step.driver, rising))


def yoy_sentence(story: AnnualStory) -> str | None:
    if not story.zones_yoy:
        return None
    clauses = []
    for zone in story.zones_yoy:
        values = {
            "zone": zone.name,
            "items": _items(zone.items),
            "previous": _items(zone.previous_items),
        }
        if zone.change_pct is None:
            clause = _("%(zone)s %(items)s items, none the year before")
        elif zone.change_pct > 0:
            clause = _("%(zone)s %(items)s items, up %(pct)s on %(previous)s")
        elif zone.change_pct < 0:
            clause = _("%(zone)s %(items)s items, down %(pct)s on %(previous)s")
        else:
            clause = _("%(zone)s %(items)s items, as many as the year before")
        clauses.append(clause % {**values, "pct": _pct(zone.change_pct or 0)})
    return _("Year on year by zone, %(year)s against %(last_year)s: %(zones)s") % {
        "year": story.year,
        "last_year": story.year - 1,
        "zones": pgettext("annual analysis: between clauses", "; ").join(clauses),
    } + pgettext("annual analysis: end of a sentence", ".")


def evaluation_sentence(story: AnnualStory) -> str | None:
    climb = story.evaluation
    if climb is None:
        return None
    values = {
        "first": percent_text(climb.first_pct),
        "first_month": _month(climb.first_month),
        "last": percent_text(climb.last_pct),
        "last_month": _month(climb.last_month),
        "points": _points(climb.points),
    }
    if climb.points > 0:
        main = _(
            "The evaluation rate rose from %(first)s in %(first_month)s to %(last)s in "
            "%(last_month)s, %(points)s percentage points"
        )
    else:
        main = _(
            "The evaluation rate fell from %(first)s in %(first_month)s to %(last)s in "
            "%(last_month)s, %(points)s percentage points"
        )
    largest = None
    if climb.largest_rise_month is not None:
        largest = _("the largest rise was in %(month)s, %(points)s points on %(prev_month)s") % {
            "month": _month(climb.largest_rise_month),
            "prev_month": _month(climb.largest_rise_month - 1),
            "points": _points(climb.largest_rise_points),
        }
    return _sentence(main % values, largest)


def story_lines(story: AnnualStory) -> list[tuple[str, str]]:
    """The analysis as (HEADING or SENTENCE, text) lines, in the order they are read:
    the unusual months, the zones' own and the steps by date, the zones year on year,
    the evaluation rate. A section the data does not support has no line."""
    lines: list[tuple[str, str]] = [(HEADING, _("Unusual months and the days behind them"))]
    if story.threshold_pct is not None:
        lines.append(
            (
                SENTENCE,
                _(
                    "A month is unusual when its items per working day changed on the month "
                    "before by more than %(threshold)s (twice the year's median change, at "
                    "least %(floor)s)."
                )
                % {
                    "threshold": percent_text(story.threshold_pct),
                    "floor": percent_text(MIN_MONTH_CHANGE_PCT, places=0),
                },
            )
        )
    # By date: a month's own sentence, its zones', then the steps from its days.
    events = [((month.month, 1, 0), month_sentence(month)) for month in story.unusual_months]
    events += [((zone.month, 1, 1), zone_month_sentence(zone)) for zone in story.zone_months]
    events += [((step.day.month, step.day.day, 2), step_sentence(step)) for step in story.steps]
    events.sort(key=lambda event: event[0])
    if story.threshold_pct is not None and not story.unusual_months:
        lines.append(
            (
                SENTENCE,
                _(
                    "No month's items per working day changed by more than %(threshold)s on "
                    "the month before."
                )
                % {"threshold": percent_text(story.threshold_pct)},
            )
        )
    lines += [(SENTENCE, text) for _key, text in events]
    if len(lines) == 1:
        lines = []
    sentence = yoy_sentence(story)
    if sentence:
        lines += [(HEADING, _("Year on year by zone")), (SENTENCE, sentence)]
    sentence = evaluation_sentence(story)
    if sentence:
        lines += [(HEADING, _("Evaluation rate")), (SENTENCE, sentence)]
    return lines


def story_sentences(story: AnnualStory) -> list[str]:
    return [text for kind, text in story_lines(story) if kind == SENTENCE]


def write_story_sheet(
    workbook, *, hall, year: int, story: AnnualStory
) -> WriteOnlyWorksheet | None:
    """Add the analysis sheet to a write-only workbook: a title, then the lines, each
    sentence one wrapped text cell in column A, printed as wide as a portrait A4 page.
    No sheet when the data supports no line (a month or two of data)."""
    lines = story_lines(story)
    if not lines:
        return None
    sheet = workbook.create_sheet(
        sheet_title(workbook, pgettext("annual review sheet", "Analysis"))
    )
    sheet.column_dimensions["A"].width = SENTENCE_WIDTH
    print_as_list(sheet, header_rows=1, landscape=False)
    title = _("%(hall)s: what changed in %(year)s and why") % {"hall": hall.name, "year": year}
    sheet.append([cell(sheet, title, font=TITLE_FONT)])
    for row, (kind, text) in enumerate(lines, start=2):
        if kind == HEADING:
            sheet.append([cell(sheet, text, font=SECTION_FONT)])
        else:
            fit_row_height(sheet, row, [(text, SENTENCE_WIDTH)])
            sheet.append([cell(sheet, text, alignment=WRAPPED)])
    return sheet
