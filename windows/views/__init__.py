from .accounts import PortalLoginView, PortalLogoutView
from .files import staff_photo
from .home import home

__all__ = ["PortalLoginView", "PortalLogoutView", "home", "staff_photo"]
