"""Accounts: users, API tokens, sign-up and API sign-in."""
