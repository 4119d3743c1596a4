"""Notes: the knowledge base (notes, tags, [[links]], revisions, trash, search, Markdown rendering)."""
