"""Forms of the hall admin that are more than a model's fields."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from windows.admin.scoping import HallOwnedForm

IMPORT_EXTENSIONS = (".csv", ".xlsx")
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class StaffCreationForm(SetPasswordMixin, HallOwnedForm):
    """The staff add form: the badge card plus the login account the staff member uses."""

    username = (
        get_user_model()
        ._meta.get_field("username")
        .formfield(
            label=_("Username"),
            help_text=_("The name the staff member signs in with."),
        )
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        user_model = get_user_model()
        user_model._meta.get_field(user_model.USERNAME_FIELD).run_validators(username)
        if user_model._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("A user with that username already exists."), code="unique"
            )
        return username

    def clean(self):
        cleaned_data = super().clean()
        self.validate_passwords()
        account = get_user_model()(username=cleaned_data.get("username", ""))
        self.validate_password_for_user(account)
        return cleaned_data


class WindowsImportForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv (UTF-8) or .xlsx file, one row per window, with the columns of the "
            "windows import."
        ),
    )
    create_missing = forms.BooleanField(
        label=_("Create missing service items"),
        required=False,
        help_text=_("Unknown service codes are added to the catalogue instead of rejected."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run (validate only)"),
        required=False,
        help_text=_("Check every row and report the errors without storing anything."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(limit)s).")
                % {"limit": filesizeformat(IMPORT_MAX_BYTES)},
                code="too_large",
            )
        return upload


class StaffPasswordForm(SetPasswordMixin, forms.Form):
    """A new password for a staff member's login account."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password confirmation")
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return cleaned_data
