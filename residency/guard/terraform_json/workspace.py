"""What the rules see of a workspace: synthesized, or as a saved plan will make it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency.guard.terraform_json.documents import Problem, read_document, read_workspace
from residency.guard.terraform_json.file_contents import render_files


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict[str, Any]
    mode: str = "resource"  # or "data"

    @property
    def address(self) -> str:
        return f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"

    @property
    def provider(self) -> str | None:
        """The provider reference (`aws.<alias>`), None for the workspace's default provider."""
        value = self.body.get("provider")
        if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
            value = value[2:-1]  # CDKTF and people write it both ways; Terraform reads both
        return str(value) if value else None

    @property
    def provider_name(self) -> str:
        """The provider this resource belongs to: named by its `provider`, else its type's prefix."""
        reference = self.provider
        return reference.split(".", 1)[0] if reference else self.type.split("_", 1)[0]


@dataclass(frozen=True)
class SynthesizedWorkspace:
    """A workspace as Terraform reads it (every file of its directory, merged), or that with a saved
    plan's known values laid over it. `problems` are what could not be read the way Terraform reads it."""

    name: str
    document: dict[str, Any]
    origin: str = "synthesized"  # or "plan"
    problems: tuple[Problem, ...] = ()

    @classmethod
    def load(cls, path: Path) -> SynthesizedWorkspace:
        """The workspace whose directory holds `path` (its cdk.tf.json)."""
        read = read_workspace(path.parent)
        return cls(path.parent.name, render_files(read.document, path.parent), problems=tuple(read.problems))

    @classmethod
    def from_document(cls, name: str, document: Any) -> SynthesizedWorkspace:
        read = read_document(document)
        return cls(name, read.document, problems=tuple(read.problems))

    def provider_names(self) -> list[str]:
        return list(self.document.get("provider", {}))

    def providers(self, name: str = "aws") -> list[dict[str, Any]]:
        return [config for config in self.document.get("provider", {}).get(name, []) if isinstance(config, dict)]

    def provider_region(self, reference: str | None) -> str | None:
        """The region of `aws` (None) or `aws.<alias>`, as a literal; None when it is not one."""
        alias = reference.split(".", 1)[1] if reference and "." in reference else None
        for provider in self.providers():
            if provider.get("alias") == alias:
                region = provider.get("region")
                return region if isinstance(region, str) else None
        return None

    def resources(self, *types: str) -> Iterator[Resource]:
        yield from self._blocks("resource", types)

    def data_sources(self, *types: str) -> Iterator[Resource]:
        yield from self._blocks("data", types)

    def resource(self, address: str) -> Resource | None:
        kind, _, name = address.partition(".")
        body = self.document.get("resource", {}).get(kind, {}).get(name)
        return Resource(kind, name, body) if isinstance(body, dict) else None

    def data_source(self, kind: str, name: str) -> Resource | None:
        body = self.document.get("data", {}).get(kind, {}).get(name)
        return Resource(kind, name, body, "data") if isinstance(body, dict) else None

    def outputs(self) -> dict[str, Any]:
        return {name: body for name, body in self.document.get("output", {}).items() if isinstance(body, dict)}

    def backend(self) -> tuple[str, dict[str, Any]] | None:
        """(kind, settings) of the state backend, or None when the workspace names none."""
        terraform = self.document.get("terraform", {})
        backends = terraform.get("backend")
        if isinstance(backends, list):
            backends = backends[0] if backends and isinstance(backends[0], dict) else {}
        for kind, settings in (backends or {}).items():
            if isinstance(settings, list):
                settings = settings[0] if settings else {}
            return kind, settings if isinstance(settings, dict) else {}
        cloud = terraform.get("cloud")
        if isinstance(cloud, list):
            cloud = cloud[0] if cloud else {}
        if cloud is not None:
            return "cloud", dict(cloud) if isinstance(cloud, dict) else {}
        return None

    def _blocks(self, section: str, types: tuple[str, ...]) -> Iterator[Resource]:
        mode = "data" if section == "data" else "resource"
        for kind, instances in self.document.get(section, {}).items():
            if types and kind not in types:
                continue
            for name, body in instances.items():
                if isinstance(body, dict):
                    yield Resource(kind, name, body, mode)
