"""Shared pieces: errors, health and readiness, metrics, logging and request ids."""
