from .accounts import PortalLoginView, PortalLogoutView
from .home import home

__all__ = ["PortalLoginView", "PortalLogoutView", "home"]
