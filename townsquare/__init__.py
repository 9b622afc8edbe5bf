"""townsquare: a self-hosted community platform of groups and discussions."""

__version__ = "0.1.0"
