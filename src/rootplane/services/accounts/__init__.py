"""Accounts and their credentials: the shared domain under IAM, STS, Organizations and the Account service."""
