"""The case list's filters, the intake form and the small forms of a case's next actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Channel, Complaint
from complaints.selectors import assignable_handlers
from evaluations.models import Rating
from windows.models import Hall, ServiceItem, Staff, Window
from windows.rules.hall_time import hall_localtime, hall_zone
from windows.widgets import DatePicker

DATE_WIDGET = DatePicker()
INTAKE_CHANNELS = [c for c in Channel.choices if c[0] != Channel.BAD_REVIEW]
MAX_EXTENSION_DAYS = 30


class CaseFilterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("all")), *Channel.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Complaint.Status.choices]
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("all")), ("yes", _("yes")), ("no", _("no"))],
    )
    unassigned = forms.ChoiceField(
        label=_("Unassigned"),
        required=False,
        choices=[("", _("all")), ("yes", _("yes")), ("no", _("no"))],
    )
    window = forms.ModelChoiceField(
        label=_("Window"), required=False, queryset=Window.objects.none(), empty_label=_("all")
    )
    start = forms.DateField(label=_("Received from"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Received to"), required=False, widget=DATE_WIDGET)

    def __init__(self, data, *, hall: Hall | None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        if hall is not None:
            self.fields["window"].queryset = Window.objects.filter(hall=hall).order_by("number")
        else:
            del self.fields["window"]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=INTAKE_CHANNELS)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    work_order_no = forms.CharField(
        label=_("12345 work-order number"), max_length=40, required=False
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=50, required=False)
    callback_phone = forms.CharField(label=_("Complainant phone"), max_length=20, required=False)
    window = forms.ModelChoiceField(
        label=_("Window"), queryset=Window.objects.none(), required=False
    )
    staff = forms.ModelChoiceField(
        label=_("Staff member"), queryset=Staff.objects.none(), required=False
    )
    service_item = forms.ModelChoiceField(
        label=_("Service item"), queryset=ServiceItem.objects.order_by("code"), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "---------"), *Complaint.Category.choices],
        required=False,
    )
    comment = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, hall: Hall, **kwargs) -> None:
        # The time is typed and shown as the hall's wall-clock time (naive, so the widget
        # does not convert it to the installation's zone).
        now = hall_localtime(hall).replace(second=0, microsecond=0, tzinfo=None)
        kwargs.setdefault("initial", {"received_at": now})
        super().__init__(*args, **kwargs)
        self.hall = hall
        self.fields["window"].queryset = Window.objects.filter(hall=hall).order_by("number")
        self.fields["staff"].queryset = Staff.objects.filter(hall=hall).order_by("badge_no")

    def clean_received_at(self) -> dt.datetime:
        # DateTimeField read the wall-clock time in the installation's zone: it is the hall's.
        typed = timezone.make_naive(self.cleaned_data["received_at"])
        received_at = typed.replace(tzinfo=hall_zone(self.hall))
        if received_at > timezone.now():
            raise forms.ValidationError(_("The time received cannot be in the future."))
        return received_at

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("channel") == Channel.WORK_ORDER_12345 and not cleaned.get("work_order_no"):
            self.add_error("work_order_no", _("A 12345 work order needs its work-order number."))
        return cleaned


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Verification note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exclude_rating = forms.ChoiceField(
        label=_("Exclude the rating from satisfaction figures"),
        required=False,
        choices=[("", _("no, keep it")), *Rating.Exclusion.choices],
    )
    exclusion_note = forms.CharField(
        label=_("Why it is excluded"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, complaint: Complaint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if complaint.rating_id is None:
            del self.fields["exclude_rating"]
            del self.fields["exclusion_note"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("exclude_rating") and not cleaned.get("exclusion_note", "").strip():
            self.add_error("exclusion_note", _("Give the reason for excluding the rating."))
        return cleaned


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=get_user_model().objects.none())

    def __init__(self, *args, complaint: Complaint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = assignable_handlers(complaint.hall)
        self.fields["handler"].label_from_instance = handler_label


def handler_label(user) -> str:
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        return f"{profile.display_name} · {profile.badge_no}"
    return user.get_full_name() or user.get_username()


class StartForm(forms.Form):
    pass


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the complainant"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("Callback result"), choices=Complaint.CallbackResult.choices)
    note = forms.CharField(
        label=_("Callback note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Complaint.Verdict.choices)
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionRequestForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("Extra working days"), min_value=1, max_value=MAX_EXTENSION_DAYS
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: erase the complainant's name and phone number for good.")
    )
