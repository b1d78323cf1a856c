"""Sources read the world (a live cluster, a snapshot, files, databases) and return model objects."""
