"""AWS KMS: keys, aliases, key policies, grants, tags and real cryptography (material sealed under a master key)."""
