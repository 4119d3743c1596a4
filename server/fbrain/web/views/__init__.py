"""Views of the browser pages, one module per area."""
