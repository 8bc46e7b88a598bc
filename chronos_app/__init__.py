"""Chronos: videos turned into interactive courses."""
