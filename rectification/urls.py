from django.urls import path

from . import spawn_views, views

app_name = "rectification"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("<int:pk>/export.xlsx", views.export_checklist, name="export"),
    path("measures/<int:pk>/evidence/", views.measure_evidence, name="evidence"),
    path("from-case/<int:pk>/", spawn_views.measure_from_case, name="from-case"),
    path("from-week/", spawn_views.measure_from_week, name="from-week"),
]
