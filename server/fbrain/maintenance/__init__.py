"""Maintenance: periodic tasks on the `maintenance` queue, each under a Redis lock, with its last success."""
