"""Settings modules: base reads the environment; dev, test and prod adjust it."""
