"""Bookmarks: notes of kind bookmark, captured from the web by a safe fetcher on the `capture` queue."""
