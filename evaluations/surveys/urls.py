from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("fill/", views.fill, name="fill"),
    path("fill/thanks/", views.thanks, name="thanks"),
]
