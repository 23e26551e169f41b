"""Centralized root access: the per-organization feature switches (RootCredentialsManagement, RootSessions)."""
