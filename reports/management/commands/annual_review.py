"""`manage.py annual_review --hall CODE --year YYYY --output FILE.xlsx` (contracts.md §6).

Exits 0 with the workbook written, or 1 with a one-line reason: an unknown hall, a bad
year, no visits in the year, an output path that cannot be written, an unknown language.
The analysis sheet is written in the active language (settings.LANGUAGE_CODE, Chinese)
or `--language en`; `--print-analysis` also prints its sentences, one a line.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports.workbooks import write_annual_review
from reports.workbooks.annual_story import story_sentences
from windows.models import Hall, Visit

MIN_YEAR, MAX_YEAR = 1900, 9999


class Command(BaseCommand):
    help = "Write the annual review workbook (Table 1, Figures 1 and 2, analysis, detail)."

    def add_arguments(self, parser):
        parser.add_argument("--hall", metavar="CODE", required=True, help="the hall's code")
        parser.add_argument("--year", metavar="YYYY", required=True, help="the year, e.g. 2020")
        parser.add_argument(
            "--output", metavar="FILE.xlsx", required=True, help="where to write the workbook"
        )
        parser.add_argument(
            "--language",
            metavar="CODE",
            help="the analysis sheet's language: zh-hans (the default) or en",
        )
        parser.add_argument(
            "--print-analysis",
            action="store_true",
            help="also print the analysis sentences, one a line",
        )

    def handle(self, *args, hall, year, output, language=None, print_analysis=False, **options):
        year_number = _year(year)
        codes = [code for code, _name in settings.LANGUAGES]
        if language is not None and language not in codes:
            raise CommandError(f"Unknown language: {language} (expected {' or '.join(codes)}).")
        hall_obj = Hall.objects.filter(code=hall).first()
        if hall_obj is None:
            raise CommandError(f"Unknown hall: {hall}")
        if (
            not Visit.objects.counted()
            .filter(hall=hall_obj, service_date__year=year_number)
            .exists()
        ):
            raise CommandError(f"No visits of hall {hall} in {year_number}.")
        path = Path(output)
        if path.is_dir() or not path.parent.is_dir():
            raise CommandError(f"Cannot write {output}: no such directory or it is a directory.")
        try:
            with (
                translation.override(language or translation.get_language()),
                path.open("wb") as stream,
            ):
                story = write_annual_review(hall=hall_obj, year=year_number, output=stream)
                sentences = story_sentences(story) if print_analysis else []
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from error
        for sentence in sentences:
            self.stdout.write(sentence)
        self.stdout.write(f"Wrote the {year_number} annual review of hall {hall} to {output}.")


def _year(text: str) -> int:
    text = str(text).strip()
    if not (text.isdigit() and len(text) == 4 and MIN_YEAR <= int(text) <= MAX_YEAR):
        raise CommandError(f"Bad year: {text!r} (expected four digits, e.g. 2020).")
    return int(text)
