"""The rule registry and what a rule is given: the workspace, and what regions.yaml says of it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from residency import naming
from residency.config import REGIONS, Config
from residency.guard.model import DataPath, Finding, Resource, Rule, SynthesizedWorkspace
from residency.guard.values import UNKNOWN, arn_region, is_expression, known_region, references, sole_resource_reference


@dataclass(frozen=True)
class Context:
    config: Config
    workspace: SynthesizedWorkspace

    @property
    def is_region(self) -> bool:
        return self.workspace.name in self.config.regions

    @property
    def region(self) -> str:
        """The workspace's own region: its name, or the global region for `global`."""
        return self.workspace.name if self.is_region else self.config.global_.region

    @property
    def jurisdiction(self) -> str:
        return self.jurisdiction_of(self.region) or UNKNOWN

    @staticmethod
    def jurisdiction_of(region: str) -> str | None:
        known = REGIONS.get(region)
        return known.jurisdiction if known else None

    def same_jurisdiction(self, region: str) -> bool:
        return region != UNKNOWN and self.jurisdiction_of(region) == self.jurisdiction

    def finding(self, rule: str, address: str, message: str, source: str = "", destination: str = "") -> Finding:
        return Finding(rule, self.workspace.name, address, message, source, destination, self.workspace.origin)

    def path(self, kind: str, address: str, destination: str, source: str | None = None) -> DataPath:
        return DataPath(kind, self.workspace.name, address, source or self.region, destination)

    def region_of_resource(self, resource: Resource) -> str:
        return known_region(self.workspace.provider_region(resource.provider))

    def region_of(self, value: object, at: Resource | None = None) -> str:
        """Where the thing a value names lives: a resource or data source of this workspace, a literal
        ARN, or one of residency's own data buckets. Unknown for everything else (fail closed)."""
        address = sole_resource_reference(value)
        if address is not None:
            target = self.workspace.resource(address)
            return self.region_of_resource(target) if target is not None else UNKNOWN
        if is_expression(value):
            refs = references(value)
            if len(refs) == 1 and refs[0][0] and refs[0][1] != "terraform_remote_state":
                data = next((d for d in self.workspace.data_sources(refs[0][1]) if d.name == refs[0][2]), None)
                return self.region_of_resource(data) if data is not None else UNKNOWN
            return UNKNOWN
        if isinstance(value, str) and value.startswith("arn:aws:s3:::"):
            return self.bucket_region(value.removeprefix("arn:aws:s3:::").split("/", 1)[0])
        if isinstance(value, str) and value.startswith("arn:"):
            return arn_region(value)
        if isinstance(value, str) and at is not None and (value.startswith("alias/") or _KEY_ID.fullmatch(value)):
            return self.region_of_resource(at)  # a bare key id or alias is looked up in the caller's region
        return UNKNOWN

    def bucket_region(self, bucket: str) -> str:
        """Only residency's own data buckets have a region we can read off their name."""
        for region in self.config.regions:
            if bucket.startswith(naming.data_table_name(self.config.project, region) + "-"):
                return region
        return UNKNOWN

    def remote_state_workspace(self, data_name: str) -> str | None:
        """The workspace a `terraform_remote_state` data source reads, from its backend settings."""
        data = next((d for d in self.workspace.data_sources("terraform_remote_state") if d.name == data_name), None)
        if data is None:
            return None
        settings = data.body.get("config") or {}
        where = " ".join(str(settings.get(key, "")) for key in ("path", "key", "prefix"))
        where += " " + str((settings.get("workspaces") or {}).get("name", ""))
        for workspace in self.config.workspaces:
            if re.search(rf"(^|[/ _-]){re.escape(workspace)}($|[/ .])", where):
                return workspace
        return None


_KEY_ID = re.compile(r"(mrk-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}")

Check = Callable[[Context], Iterator[Finding | DataPath]]
# Rules without a check run over artifacts other than workspaces (the organization SCP).
RULES: dict[str, tuple[Rule, Check | None]] = {}


def describe(id_: str, title: str, *, why: str, fix: str, severity: str = "error") -> None:
    RULES[id_] = (Rule(id_, title, severity, why, fix), None)


def rule(id_: str, title: str, *, why: str, fix: str, severity: str = "error") -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[id_] = (Rule(id_, title, severity, why, fix), check)
        return check
    return register
