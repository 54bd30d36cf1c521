"""sousei-kg: a knowledge graph of the 2025 strategy summary."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sousei-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
