"""Forms of the hall admin that are more than a model's fields."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from windows.admin.scoping import HallOwnedForm
from windows.models import Hall

IMPORT_EXTENSIONS = (".csv", ".xlsx")
IMPORT_MAX_BYTES = 10 * 1024 * 1024


def clean_new_username(username: str) -> str:
    """A username for a new login account: valid, and not taken whatever its case."""
    user_model = get_user_model()
    user_model._meta.get_field(user_model.USERNAME_FIELD).run_validators(username)
    if user_model._default_manager.filter(
        **{f"{user_model.USERNAME_FIELD}__iexact": username}
    ).exists():
        raise forms.ValidationError(_("A user with that username already exists."), code="unique")
    return username


def username_field(*, required: bool):
    return (
        get_user_model()
        ._meta.get_field(get_user_model().USERNAME_FIELD)
        .formfield(
            label=_("Username"),
            required=required,
            help_text=_("The name the staff member signs in with."),
        )
    )


class StaffCreationForm(SetPasswordMixin, HallOwnedForm):
    """The staff add form: the badge card, and optionally the login account the staff
    member uses (a card without one is valid; it can be given one later)."""

    username = username_field(required=False)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "The name the staff member signs in with. Leave it and the passwords empty for "
            "a badge card without a login."
        )
        self.fields["password1"].required = False
        self.fields["password2"].required = False

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        return clean_new_username(username) if username else ""

    def clean(self):
        cleaned_data = super().clean()
        username = cleaned_data.get("username")
        passwords = (cleaned_data.get("password1"), cleaned_data.get("password2"))
        if username:
            for name, password in zip(("password1", "password2"), passwords, strict=True):
                if not password:
                    self.add_error(
                        name, forms.ValidationError(_("This field is required."), "required")
                    )
            self.validate_passwords()
            self.validate_password_for_user(get_user_model()(username=username))
        elif any(passwords) and "username" not in self.errors:
            self.add_error(
                "username",
                forms.ValidationError(
                    _("A password needs a username: give one, or leave the passwords empty."),
                    code="password_without_username",
                ),
            )
        return cleaned_data


class StaffLoginForm(SetPasswordMixin, forms.Form):
    """A login account for a badge card without one: its username and first password."""

    username = username_field(required=True)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def clean_username(self) -> str:
        return clean_new_username(self.cleaned_data["username"])

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


class StaffImportForm(WindowsImportForm):
    """The staff import's upload (contracts.md section 4a): a file, its hall, a dry run."""

    create_missing = None  # the staff import creates what it names; nothing to ask
    hall = forms.ModelChoiceField(
        label=_("Hall"),
        queryset=Hall.objects.none(),
        required=False,
        help_text=_("Every row belongs to this hall (the file then needs no hall code column)."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["hall"].queryset = Hall.objects.for_user(user) if user else Hall.objects.none()
        self.fields["file"].help_text = _(
            "A .csv (UTF-8) or .xlsx file, one row per staff member, with the columns of the "
            "staff import."
        )
        self.order_fields(["file", "hall", "dry_run"])


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
