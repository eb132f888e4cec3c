from .accounts import PortalLoginView, PortalLogoutView, PortalPasswordResetView
from .files import staff_photo
from .home import home

__all__ = [
    "PortalLoginView",
    "PortalLogoutView",
    "PortalPasswordResetView",
    "home",
    "staff_photo",
]
