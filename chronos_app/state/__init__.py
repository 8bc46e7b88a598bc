"""Thin rx.State classes: turn events into service calls and hold schemas."""
