"""Extension points of evaluations' pages (see windows/hooks.py for the pattern)."""

from windows.hooks import Hook

# The questionnaire results of a week (surveys.views.overview): (request, hall, week) ->
# Panel | None, shown under the week's results when it has responses.
week_panels = Hook("evaluations.week_panels")
