"""The residency rules, one module per concern; importing this package registers them all in RULES."""

from residency.guard import scp
from residency.guard.registry import RULES
from residency.guard.rules import (
    access,
    copies,
    declared_stores,
    directory,
    metadata,
    placement,
    processing,
    providers,
    reviewed,
    routing,
    sweep,
)

__all__ = ["RULES", "scp", "access", "copies", "declared_stores", "directory", "metadata", "placement", "processing",
           "providers", "reviewed", "routing", "sweep"]
