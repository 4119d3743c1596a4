"""F_BRAIN: the product's Django apps, one package per domain."""
