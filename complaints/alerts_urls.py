from django.urls import path

from complaints import alerts_views

app_name = "alerts"

urlpatterns = [
    path("<int:pk>/acknowledge/", alerts_views.acknowledge, name="acknowledge"),
]
