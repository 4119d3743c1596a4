"""Self sign-up (only when SIGNUP_ENABLED is true), and the one-time setup of the first account."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fbrain.accounts import selectors, services
from fbrain.core.errors import DomainError
from fbrain.web.forms import SignUpForm, add_domain_error


def _account_form(request: HttpRequest, create: Callable[..., User], *, welcome: str, template: str) -> HttpResponse:
    """The sign-up form's GET and POST: `create(username=, password=, email=)`, then sign in and go home."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = create(username=data["username"], password=data["password"], email=data["email"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, welcome)
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is off.")
    if request.user.is_authenticated:
        return redirect("home")
    return _account_form(
        request,
        services.user_sign_up,
        welcome="Welcome! Write your first note below.",
        template="registration/signup.html",
    )


@require_http_methods(["GET", "POST"])
def first_user_setup(request: HttpRequest) -> HttpResponse:
    """Create the first (administrator) account of an empty installation; gone (404) once any user exists."""
    if not selectors.setup_needed():
        raise Http404("Setup is done.")
    # A setup that loses a race to another one shows the service's refusal as a form error.
    return _account_form(
        request,
        services.user_create_first,
        welcome="Your administrator account is ready. Write your first note below.",
        template="registration/setup.html",
    )
