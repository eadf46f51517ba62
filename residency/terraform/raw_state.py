"""A workspace's raw state (the terraform.tfstate format), read once and walked one way."""

from __future__ import annotations

import json
from collections.abc import Iterator

from residency.errors import TerraformError
from residency.files import read_handed_text
from residency.terraform.manifest import Workspace
from residency.terraform.runner import Terraform


def read_state(terraform: Terraform, workspace: Workspace, synthesized: dict[str, object]) -> dict[str, object]:
    """A local state file is read as it is (no Terraform run); a remote one is pulled."""
    settings = synthesized.get("terraform", {})
    backends = settings.get("backend") if isinstance(settings, dict) else None
    local = backends.get("local") if isinstance(backends, dict) else None
    if not backends or isinstance(local, dict):  # no backend at all is Terraform's local default
        path = local.get("path") if isinstance(local, dict) else None
        state_file = workspace.directory / (path if isinstance(path, str) else "terraform.tfstate")
        try:
            document = json.loads(read_handed_text(state_file))
        except FileNotFoundError:
            return {}
        except OSError as error:
            if not state_file.is_file():  # a FIFO or a device, which Terraform would wait on as well
                raise TerraformError(str(error)) from None
            return terraform.pull_state(workspace)  # let Terraform read (or refuse) it
        except ValueError:
            return terraform.pull_state(workspace)
        return document if isinstance(document, dict) else {}
    return terraform.pull_state(workspace)


def managed_instances(state: dict[str, object], *, root_only: bool = True
                      ) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(instance address, `type.name`, instance) of every managed resource instance in the state;
    with `root_only`, those of the root module (residency writes no modules)."""
    resources = state.get("resources")
    for resource in resources if isinstance(resources, list) else ():
        if not isinstance(resource, dict) or resource.get("mode") != "managed":
            continue
        if root_only and resource.get("module"):
            continue
        base = f"{resource.get('type')}.{resource.get('name')}"
        prefix = f"{resource['module']}." if resource.get("module") else ""
        for instance in resource.get("instances") or ():
            if isinstance(instance, dict):
                key = instance.get("index_key")
                yield prefix + (base if key is None else f"{base}[{json.dumps(key)}]"), base, instance
