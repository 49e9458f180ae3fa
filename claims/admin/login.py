"""The admin's log-in, with failed attempts throttled (claims/login_throttle.py).

config/urls.py routes /admin/login/ here and makes the form the admin's own.
A refused attempt is answered 429 with the reason and Retry-After, and is not
checked against the password at all. Unknown usernames count like known ones,
so the refusal says nothing about which accounts exist.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from .. import login_throttle


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": (
            "Too many failed log-ins for this username from your address. "
            "Wait %(minutes)s minutes after the last attempt, then try again."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()  # a field is missing: nothing is tried
        counters = login_throttle.login_counters(
            username, login_throttle.client_address(self.request)
        )
        if login_throttle.refused(counters):
            self.request.login_throttled = True
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, login_throttle.retry_after() // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            login_throttle.record_failure(counters)
            raise
        # Only this username's count: a success must not reset the count of
        # an address that guesses at other usernames.
        login_throttle.clear(counters[:1])
        return cleaned


def login(request, extra_context=None):
    """The admin's own log-in view; a throttled attempt answers 429."""
    response = admin.site.login(request, extra_context)
    if getattr(request, "login_throttled", False):
        response.status_code = 429
        response["Retry-After"] = str(login_throttle.retry_after())
    return response
