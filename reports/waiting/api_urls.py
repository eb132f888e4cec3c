"""The dashboard's JSON feeds of this part, mounted at /api/v1/dashboard/waiting/."""

urlpatterns: list = []
