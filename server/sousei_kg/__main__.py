"""``python -m sousei_kg``: the same as the ``sousei-kg`` command."""

from sousei_kg.cli.main import main

# Guarded: query workers start with the "spawn" method, which imports the main module again.
if __name__ == "__main__":
    main()
