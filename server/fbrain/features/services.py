"""Writes for feature flags: make sure every flag the code knows exists, with its default audience."""

from __future__ import annotations

from waffle.models import Flag

from fbrain.features.flags import DEFAULTS


def flag_defaults_ensure(*, using: str = "default") -> list[str]:
    """Create each known flag that is missing, with its default settings; never touch an existing one.

    Runs after `migrate` and after `flush` (post_migrate), so a test database that a transactional test
    emptied, or a flag an admin deleted, comes back as the code expects it. Returns the names created.
    """
    created = []
    for name, defaults in DEFAULTS.items():
        _flag, was_created = Flag.objects.using(using).get_or_create(name=name, defaults=defaults)
        if was_created:
            created.append(name)
    return created
