from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data.json", views.dashboard_data_json, name="dashboard-data"),
    path("dashboard/today.json", views.dashboard_today_json, name="dashboard-today"),
]
