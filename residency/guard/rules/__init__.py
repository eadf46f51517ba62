"""The residency rules, one module per concern. Adding a rule is one module and one line below."""

from typing import Any

from residency.guard.rules import (
    access,
    copies,
    declared_stores,
    directory,
    kept_at_home,
    metadata,
    organization_scp,
    processing,
    providers,
    reviewed,
    routing,
    sweep,
)
from residency.guard.rules.rule import Rule

_DECLARED: tuple[Rule[Any], ...] = (
    providers.own_provider_only,
    copies.no_cross_jurisdiction_copy,
    directory.directory_only,
    kept_at_home.kept_in_jurisdiction,
    routing.routing_stays_home,
    access.region_bound_access,
    metadata.nothing_personal_in_metadata,
    organization_scp.organization_scp_holds,
    reviewed.only_reviewed,
    processing.processed_at_home,
    sweep.every_place_at_home,
    reviewed.readable,
    declared_stores.every_store_declared_and_protected,
)
RULES: dict[str, Rule[Any]] = {rule.id: rule for rule in sorted(_DECLARED, key=lambda rule: rule.id)}

__all__ = ["RULES", "Rule"]
