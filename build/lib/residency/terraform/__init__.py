"""Runs Terraform over synthesized workspaces. Never imports cdktf: it only reads cdktf.out."""
