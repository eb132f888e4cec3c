from django.urls import path

from reports import bulletin_views

app_name = "bulletins"

urlpatterns = [
    path("", bulletin_views.bulletin_list, name="list"),
    path("build/", bulletin_views.bulletin_build, name="build"),
    path("<int:pk>/", bulletin_views.bulletin_detail, name="detail"),
    path("<int:pk>/download.xlsx", bulletin_views.bulletin_download, name="download"),
    path("<int:pk>/resend/", bulletin_views.bulletin_resend, name="resend"),
]
