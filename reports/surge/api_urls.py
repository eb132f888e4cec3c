"""The dashboard's JSON feeds of this part, mounted at /api/v1/dashboard/surge/."""

urlpatterns: list = []
