"""AI providers behind small Protocols, each with an offline default that always works."""
