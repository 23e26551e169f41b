"""AWS Support: cases and communications, the account's support plan, and the KMS key recovery a case starts."""
