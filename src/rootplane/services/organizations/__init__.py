"""AWS Organizations: organization, root, OUs, member accounts, SCPs/RCPs, trusted access, delegated admins."""
