"""The public booking pages (预约办): no login, limited per client address."""

from django.urls import path

from windows.booking import views

app_name = "booking"

urlpatterns = [
    path("", views.hall_list, name="halls"),
    path("<str:hall_code>/", views.book, name="book"),
    path("<str:hall_code>/done/", views.done, name="done"),
    path("<str:hall_code>/cancel/", views.cancel, name="cancel"),
]
