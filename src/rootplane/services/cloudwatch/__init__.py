"""Amazon CloudWatch: metrics, metric alarms and their evaluation."""
