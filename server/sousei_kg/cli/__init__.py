"""The ``sousei-kg`` command: the group and its commands, one module per family."""
