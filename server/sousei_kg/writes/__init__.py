"""The write path: the one writer, its redo journal and its audit log."""
