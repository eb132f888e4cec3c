from django.urls import path  # noqa: F401

app_name = "display"

urlpatterns: list = []
