"""Extension points of the complaint pages (see windows/hooks.py for the pattern)."""

from windows.hooks import Hook

# A case's page (complaints.views.case_detail): (request, complaint, reason_labels) ->
# Panel | None, shown in the side column.
case_panels = Hook("complaints.case_panels")

# The case dashboard's figures (complaints.views.dashboard): (hall, today) -> Panel | None,
# each a tile beside the case figures.
dashboard_tiles = Hook("complaints.dashboard_tiles")
