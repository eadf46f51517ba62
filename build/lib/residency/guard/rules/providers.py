"""RES001: a region workspace acts only through its own region's provider."""

from __future__ import annotations

from collections.abc import Iterator

from residency.guard.model import DataPath, Finding
from residency.guard.registry import Context, rule


@rule("RES001", "A region workspace acts only through its own region's provider",
      why="Any other provider can create resources, and so store data, outside the region.",
      fix="Remove provider aliases and per-resource `provider` settings from region workspaces.")
def own_provider_only(context: Context) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    name = context.workspace.name
    providers = context.workspace.providers()
    for provider in providers:
        region = provider.get("region")
        if provider.get("alias") or region != name:
            yield context.finding("RES001", f"provider.aws.{provider.get('alias') or 'default'}",
                                  f"provider for region {region!r}", name, str(region))
    if not providers:
        yield context.finding("RES001", "provider.aws", "no AWS provider for the region")
    for prefix, resources in (("", context.workspace.resources()), ("data.", context.workspace.data_sources())):
        for resource in resources:
            if resource.provider:
                yield context.finding("RES001", prefix + resource.address, f"acts through {resource.provider}",
                                      name, resource.provider)
