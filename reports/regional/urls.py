"""Pages of the regional view, mounted at /regional/."""

from django.urls import path

from . import views

app_name = "regional"

urlpatterns = [
    path("", views.ranking_page, name="ranking"),
    path("export.xlsx", views.ranking_workbook, name="export"),
    path("bulletins/<int:pk>/download.xlsx", views.bulletin_download, name="bulletin-download"),
]
