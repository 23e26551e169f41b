"""The sign-in service's state (signin.amazonaws.com has no API): console sessions and visitors, sign-in throttle
counters, and the console's own secrets. Kept in the store so a restart or a second server process sees them."""
