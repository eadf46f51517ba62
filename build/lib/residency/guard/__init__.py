"""Residency guardrails: rules over synthesized workspaces that prove no personal-data path
leaves its jurisdiction. Reads cdk.tf.json only; never imports cdktf."""
