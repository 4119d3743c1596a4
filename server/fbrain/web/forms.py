"""Forms of the site-wide pages; they only parse input, the services validate and write."""

from __future__ import annotations

from django import forms

from fbrain.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to the fields it names, or above the form."""
    placed = False
    for name, messages in error.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Where you will use it, e.g. “laptop script” or “phone shortcut”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
