"""In-process adapters for the embedded deployment: the bus (and later the cache)."""
