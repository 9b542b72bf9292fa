"""Transitional alias: the configuration tree lives in :mod:`flexlab.iosconfig` (shared by
the embedded lab and the harness's config readers)."""

from flexlab.iosconfig import ConfigLine, ConfigTree

__all__ = ["ConfigLine", "ConfigTree"]
