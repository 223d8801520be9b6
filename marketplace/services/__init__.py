"""Business rules: plain functions taking a session and values; they flush, never commit."""
