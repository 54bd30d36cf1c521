"""``python -m sousei_kg``: the same as the ``sousei-kg`` command."""

from sousei_kg.cli import main

main()
