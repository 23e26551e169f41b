"""Mail the server sends (OTPs, alerts, password recovery): a stored outbox plus an optional SMTP relay."""
