"""Settings, database access and typed errors shared by every layer."""
