"""The console's forms: input checks only; the rules live in windows.services.visits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from windows.models import Hall, QueueCategory, ServiceItem, Staff, Window


class SignInForm(forms.Form):
    window = forms.ModelChoiceField(queryset=Window.objects.none(), label=_("Window"))

    def __init__(self, *args, staff: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the staff member's own hall: a forged id of another hall's window is invalid.
        self.fields["window"].queryset = Window.objects.filter(hall=staff.hall)


class VisitForm(forms.Form):
    """The ticket and its items; `items_shown` tells an empty choice from no item field."""

    ticket_no = forms.CharField(label=_("Ticket number"), max_length=40, required=False)
    service_items = forms.ModelMultipleChoiceField(
        queryset=ServiceItem.objects.all(), required=False, label=_("Service items")
    )
    items_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def chosen_items(self) -> list[ServiceItem] | None:
        """The items posted, or None when the form carried no item choice at all."""
        if not self.cleaned_data.get("items_shown"):
            return None
        return list(self.cleaned_data["service_items"])


class TransferForm(forms.Form):
    """The business category a ticket is transferred to (转办); empty for a typed ticket,
    which goes to another window outside the portal's queue."""

    category = forms.ModelChoiceField(
        queryset=QueueCategory.objects.none(), required=False, label=_("Transfer to")
    )

    def __init__(self, *args, hall: Hall, **kwargs):
        super().__init__(*args, **kwargs)
        # The hall's own active categories: another hall's id is not a valid choice.
        self.fields["category"].queryset = QueueCategory.objects.filter(hall=hall).active()
