"""Browser pages of F_BRAIN: server-rendered templates with htmx, and the site's security headers."""
