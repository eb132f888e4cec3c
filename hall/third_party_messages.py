"""Messages of the third-party apps the admin shows that ship no Simplified Chinese
(django-axes) or leave some out (django-simple-history's "Changes", Django 5.2's newest
admin messages).

Marked here so that `make messages` keeps them in the project's catalogue, whose
translations come first (LOCALE_PATHS); nothing imports this module.
"""

from django.utils.translation import gettext_noop as _

AXES = (
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
    _("Username"),
    _("access attempt"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
)
SIMPLE_HISTORY = (_("Changes"),)
DJANGO_ADMIN = (
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("After you’ve created a user, you’ll be able to edit more user options."),
)
