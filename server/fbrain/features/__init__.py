"""Feature flags: which product features are on for whom (django-waffle flags, switched in the admin)."""
