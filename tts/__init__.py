"""A self-hosted Chinese text-to-speech server that is frugal with CPU and energy."""

__version__ = "0.1.0"
