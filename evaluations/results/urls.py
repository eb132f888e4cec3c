from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("me/", views.my_results, name="me"),
    path("hall/", views.hall_results, name="hall"),
]
