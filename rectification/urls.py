from django.urls import path

from . import checklist_views, measure_views, spawn_views, views

app_name = "rectification"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("new/", checklist_views.checklist_new, name="checklist-new"),
    path("<int:pk>/export.xlsx", views.export_checklist, name="export"),
    path("<int:checklist_pk>/measures/new/", measure_views.measure_new, name="measure-new"),
    path("measures/<int:pk>/", measure_views.measure_detail, name="measure"),
    path("measures/<int:pk>/plan/", measure_views.measure_plan, name="measure-plan"),
    path("measures/<int:pk>/progress/", measure_views.measure_progress, name="measure-progress"),
    path("measures/<int:pk>/evidence/", views.measure_evidence, name="evidence"),
    path("from-case/<int:pk>/", spawn_views.measure_from_case, name="from-case"),
    path("from-week/", spawn_views.measure_from_week, name="from-week"),
]
