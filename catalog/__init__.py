"""Reference data the configuration checks and tools read: each entry names its source."""
