"""Test support: the pytest-backed runner behind `manage.py test`."""
