"""The flows: the only place that combines the construct layer, the Terraform runner and the residency rules."""
