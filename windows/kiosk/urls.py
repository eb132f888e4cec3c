"""The ticket kiosk (一键取号), mounted at /kiosk/: pairing, the categories, issuing."""

from django.urls import path

from windows.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("", views.home, name="home"),
    path("pair/", views.pair, name="pair"),
    path("tickets/", views.issue, name="issue"),
    path("check-in/", views.check_in, name="check-in"),
]
