"""Sign-in pages: Django's views with the rate-limited forms; a refused attempt answers 429."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import LoginView
from django.forms import Form
from django.http import HttpRequest, HttpResponseBase

from fbrain.accounts.forms import THROTTLED, SignInForm


def rate_limited(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer 429 (with the form and its message) when the form refused the attempt by rate limit."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if not isinstance(form, Form):
            return response
        for error in form.non_field_errors().as_data():
            if error.code == THROTTLED:
                response.status_code = 429
                response["Retry-After"] = str((error.params or {})["seconds"])
        return response

    return wrapped


sign_in = rate_limited(LoginView.as_view(authentication_form=SignInForm))
