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


class NoteForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True})
    )
    body = forms.CharField(
        label="Text (Markdown)",
        required=False,
        strip=False,
        help_text="Type [[ to link a note, # to tag. Ctrl+S (⌘S) saves.",
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true", "class": "editor-body"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    rewrite_links = forms.BooleanField(
        label="If the title changes, update [[links]] in other notes", required=False, initial=True
    )


class QuickCaptureForm(forms.Form):
    text = forms.CharField(
        label="Quick capture",
        strip=False,
        max_length=100_000,
        help_text="A thought (its first line becomes the title) or a web address to bookmark.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a note or paste a link…"}),
    )


class TagRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=100)


class TagMergeForm(forms.Form):
    sources = forms.MultipleChoiceField(label="Tags to merge", choices=(), widget=forms.CheckboxSelectMultiple)
    target = forms.CharField(label="Into the tag", max_length=100)

    def __init__(self, *args: object, tag_names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sources"].choices = [(name, name) for name in tag_names]  # type: ignore[attr-defined]


class BookmarkForm(forms.Form):
    url = forms.CharField(
        label="Web address",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autocomplete": "url", "inputmode": "url"}),
    )
    tags = forms.CharField(
        label="Tags (optional)",
        required=False,
        max_length=500,
        help_text="Separated by spaces or commas.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "")
        return [name.lstrip("#") for name in raw.replace(",", " ").split() if name.lstrip("#")]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Zip archive",
        help_text="A folder of Markdown files or an Obsidian vault, zipped (at most 100 MiB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    dry_run = forms.BooleanField(
        label="Dry run: only show what would happen, change nothing", required=False, initial=True
    )
    conflict = forms.ChoiceField(
        label="When a note with the same title exists",
        choices=[
            ("skip", "Skip the file (keep my note)"),
            ("rename", "Import it under a new title"),
            ("overwrite", "Overwrite my note (its old text stays in its history)"),
        ],
        initial="skip",
        widget=forms.RadioSelect,
    )


class SignUpForm(forms.Form):
    username = forms.CharField(
        label="Username", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    email = forms.EmailField(
        label="E-mail (optional)", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 10 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data
