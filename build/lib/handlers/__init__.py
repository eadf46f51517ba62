"""Lambda code. Plain Python and boto3; imports nothing from residency."""
