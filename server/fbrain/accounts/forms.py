"""Sign-in forms of the site and the admin, behind the same rate limits as the API's sign-in."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from fbrain.accounts import throttles

THROTTLED = "throttled"


class _RateLimited(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        # Checked before the password: while an account or address is locked out, even the right password
        # is refused, so guessing on learns nothing.
        if self.request is not None and self.request.method == "POST":
            wait = throttles.sign_in_wait(self.request)
            if wait is not None:
                raise forms.ValidationError(
                    "Too many sign-in attempts. Please wait %(seconds)d seconds, then try again.",
                    code=THROTTLED,
                    params={"seconds": math.ceil(wait)},
                )
        return super().clean()


class SignInForm(_RateLimited):
    """The site's sign-in form."""


class AdminSignInForm(_RateLimited, AdminAuthenticationForm):
    """The admin's sign-in form (staff only, as Django's)."""
