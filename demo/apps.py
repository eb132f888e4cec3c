"""The demo hall (seed_demo, demo_logins): it seeds every app, so it sits on top and nothing
imports it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("Demo hall")
