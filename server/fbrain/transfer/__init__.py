"""Transfer: import and export of Markdown folders and Obsidian vaults as background jobs."""
