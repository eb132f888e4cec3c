from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("", views.progress, name="progress"),
    path("<int:pk>/export.xlsx", views.export_checklist, name="export"),
]
