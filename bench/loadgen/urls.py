"""The portal's URLs plus /bench/ping: the floor the tablet's requests are measured against.

/bench/ping goes through everything a rating submission goes through before its own work:
the middleware stack, DRF, the tablet's device-token authentication (one query for the
device; its last-seen update at most every 30 s) and the JSON renderer; it then answers
{"ok": true}. So "ping" is the same server's cost of an authenticated API request that
does nothing, and a rating's time above it is the rating's own work.
"""

from django.urls import path
from rest_framework.response import Response

from evaluations.tablet.api import TabletAPIView
from hall.urls import urlpatterns as portal_urlpatterns


class Ping(TabletAPIView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [*portal_urlpatterns, path("bench/ping", Ping.as_view())]
