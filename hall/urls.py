from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hall.api_router import extra_urls, router

admin.site.site_header = _("Social insurance service hall portal")
admin.site.site_title = _("Hall portal administration")
admin.site.index_title = _("Hall configuration and management")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(extra_urls)),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("console/", include("windows.console.urls")),
    path("tablet/", include("evaluations.tablet.urls")),
    path("kiosk/", include("windows.kiosk.urls")),
    path("display/", include("evaluations.display.urls")),
    path("booking/", include("windows.booking.urls")),
    path("surveys/", include("evaluations.surveys.urls")),
    path("results/", include("evaluations.results.urls")),
    path("complaints/", include("complaints.urls")),
    path("rectification/", include("rectification.urls")),
    path("alerts/", include("complaints.alerts_urls")),
    path("reports/", include("reports.urls")),
    path("bulletins/", include("reports.bulletin_urls")),
    path("regional/", include("reports.regional.urls")),
    path("", include("windows.urls")),
]
# MEDIA_ROOT is never mounted: every stored file is served by a view that checks the
# user's halls and role (windows/private_files.py, hall/settings/files.py).
