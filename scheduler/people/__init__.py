"""Staff accounts as administrators manage them: roles per library, hours, topics, import."""
