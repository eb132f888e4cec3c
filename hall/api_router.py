"""The one DRF router of the portal; apps register their viewsets here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
