"""rootplane: a local AWS control plane for the account root user."""

__version__ = "0.1.0"
