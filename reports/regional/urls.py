"""Pages of the regional view, mounted at /regional/."""

app_name = "regional"

urlpatterns: list = []
