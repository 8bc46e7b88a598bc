"""Plain dataclasses that services return and Reflex state holds: no table objects, no secrets."""
