"""Amazon EC2, only what audit tools read: DescribeRegions over the Account service's region opt-in state."""
