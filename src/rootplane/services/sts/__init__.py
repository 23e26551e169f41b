"""STS: caller identity and temporary credentials (sessions, role sessions, root sessions)."""
