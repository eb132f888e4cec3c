"""The staff's own login pages, on Django's auth views, with the lockout of django-axes.

Axes counts failed logins per username; once the limit is reached its middleware
replaces the response with registration/locked_out.html (HTTP 429).
"""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.utils.translation import gettext as _

from windows import contacts
from windows.selectors import login_lockout_ends_at


class PortalLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_invalid(self, form) -> HttpResponse:
        request = self.request
        username = form.cleaned_data.get("username") or ""
        extra = {}
        if getattr(request, "axes_locked_out", False):
            # Read by the lockout template, which axes renders in place of this response.
            request.portal_lockout_ends_at = login_lockout_ends_at(username=username)
        elif (failures := getattr(request, "axes_failures_since_start", None)) is not None:
            limit = get_failure_limit(request, {"username": username})
            cool_off = get_cool_off(request)
            extra = {
                "attempts_left": max(limit - failures, 0),
                "lockout_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
            }
        return self.render_to_response(self.get_context_data(form=form, **extra))


class PortalLogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have been logged out."))
        return response


class PortalPasswordResetForm(PasswordResetForm):
    """ "Forgot your password?" by the address that reaches the person (windows.contacts):
    a staff member types the email on their badge card, anyone else their account's.

    As Django's form, it sends nothing for an inactive account or one without a usable
    password, and looks the same whether an account was found or not.
    """

    def get_users(self, email: str):
        users = (
            get_user_model()
            ._default_manager.annotate(contact_email=contacts.user_email_expression())
            .filter(contact_email__iexact=email, is_active=True)
            .select_related("staff_profile")
        )
        return (user for user in users if user.has_usable_password())

    def send_mail(self, subject, body, context, from_email, to_email, **kwargs) -> None:
        to_email = contacts.email_of(context["user"])
        context = {**context, "email": to_email}
        super().send_mail(subject, body, context, from_email, to_email, **kwargs)


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
