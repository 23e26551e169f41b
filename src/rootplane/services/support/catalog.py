"""What DescribeServices and DescribeSeverityLevels answer: a representative part of AWS Support's catalogue,
with the Key Management Service entry that KMS key recovery cases use."""

from __future__ import annotations

__all__ = ["SERVICES", "SEVERITY_LEVELS", "KMS_SERVICE_CODE", "GENERAL_CATEGORIES"]

KMS_SERVICE_CODE = "key-management-service"

GENERAL_CATEGORIES = (("general-guidance", "General Guidance"), ("other", "Other"))

# (code, name, categories)
SERVICES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("account-management", "Account Management", (("billing", "Billing"), ("security", "Security"),
                                                  ("other-account-issues", "Other Account Issues"))),
    ("amazon-simple-queue-service", "Simple Queue Service (SQS)", GENERAL_CATEGORIES),
    ("amazon-simple-notification-service", "Simple Notification Service (SNS)", GENERAL_CATEGORIES),
    ("amazon-simple-storage-service", "Simple Storage Service (S3)", GENERAL_CATEGORIES),
    ("amazon-eventbridge", "EventBridge", GENERAL_CATEGORIES),
    ("aws-cloudtrail", "CloudTrail", GENERAL_CATEGORIES),
    ("aws-identity-and-access-management", "Identity and Access Management (IAM)", GENERAL_CATEGORIES),
    ("aws-organizations", "Organizations", GENERAL_CATEGORIES),
    # The categories of the CLI reference's describe-services example (cli/latest/reference/support/).
    ("general-info", "General Info and Getting Started", (
        ("charges", "How Will I Be Charged?"), ("gdpr-queries", "Data Privacy Query"),
        ("reserved-instances", "Reserved Instances"), ("resource", "Where is my Resource?"),
        ("using-aws", "Using AWS & Services"), ("free-tier", "Free Tier"),
        ("security-and-compliance", "Security & Compliance"), ("account-structure", "Account Structure"))),
    (KMS_SERVICE_CODE, "Key Management Service (KMS)", (("general-guidance", "General Guidance"),
                                                        ("key-policy", "Key Policy"), ("other", "Other"))),
)

# (code, name); the Business plan's levels (Enterprise adds critical).
SEVERITY_LEVELS: tuple[tuple[str, str], ...] = (
    ("low", "General guidance"), ("normal", "System impaired"), ("high", "Production system impaired"),
    ("urgent", "Production system down"), ("critical", "Business-critical system down"),
)
