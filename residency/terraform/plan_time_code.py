"""What a synthesized output handed to a job that holds cloud credentials may ask Terraform to do.

The output was written by a job that ran the project's code (synth, extensions), so whoever changed that
code chose it. Terraform runs more than API calls while it plans: other providers (`external` runs any
program, `http` reaches any host), modules fetched from anywhere, provisioners, file functions that can read
the runner's environment (`file("/proc/self/environ")` holds the session's keys), data sources that read
stored data (an S3 object, a DynamoDB item) or invoke a function. Only the shapes residency's own constructs
write, plus a few data sources that read no one's data, pass; anything else is refused before `terraform
init` runs. Unknown is refused (fail closed): an extension that needs more is planned outside the pipeline's
credential jobs, or adds its data source here after review.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from residency.errors import ViolationError
from residency.files import MOVES_FILE, NOT_SYNTHESIZED, read_handed_text
from residency.paths import SCP_FILE
from residency.target import LOCAL_ENDPOINT_VARIABLE
from residency.terraform.template_calls import called_functions

AWS_PROVIDER_SOURCES = ("aws", "hashicorp/aws", "registry.terraform.io/hashicorp/aws")
TOP_LEVEL = frozenset({"//", "terraform", "provider", "resource", "data", "output", "variable", "locals", "moved"})
TERRAFORM_BLOCK = frozenset({"//", "backend", "cloud", "required_providers", "required_version"})
# Data sources that read configuration or metadata, never stored records or secrets.
DATA_SOURCES = frozenset({
    "aws_caller_identity", "aws_region", "aws_partition", "aws_availability_zones", "aws_default_tags",
    "aws_iam_policy_document", "aws_route53_zone", "terraform_remote_state",
})
PROVIDER_ARGUMENTS = frozenset({"region", "alias", "default_tags"})
# The local target's provider talks to the emulator with fake keys (residency.stacks.provider).
EMULATED_PROVIDER_ARGUMENTS = frozenset({"access_key", "secret_key", "skip_credentials_validation",
                                         "skip_metadata_api_check", "skip_requesting_account_id",
                                         "s3_use_path_style", "endpoints"})
BACKENDS = {
    "local": frozenset({"path"}),
    "s3": frozenset({"bucket", "key", "region", "encrypt", "kms_key_id", "use_lockfile"}),
}
EMULATED_S3_BACKEND = frozenset({"access_key", "secret_key", "skip_credentials_validation",
                                 "skip_requesting_account_id", "skip_metadata_api_check", "use_path_style"})
CLOUD_BLOCK = frozenset({"organization", "hostname", "workspaces"})
# Terraform's built-in functions that read nothing but their arguments (no file, no environment, no provider).
PURE_FUNCTIONS = frozenset("""
abs ceil floor log max min parseint pow signum chomp endswith format formatlist indent join lower regex regexall
replace split startswith strcontains strrev substr title trim trimprefix trimsuffix trimspace upper alltrue anytrue
chunklist coalesce coalescelist compact concat contains distinct element flatten index keys length lookup matchkeys
merge one range reverse setintersection setproduct setsubtract setunion slice sort sum transpose values zipmap
base64decode base64encode base64gzip csvdecode jsondecode jsonencode textdecodebase64 textencodebase64 urlencode
yamldecode yamlencode basename dirname formatdate plantimestamp timeadd timecmp timestamp base64sha256 base64sha512
bcrypt md5 sha1 sha256 sha512 uuid uuidv5 cidrhost cidrnetmask cidrsubnet cidrsubnets can issensitive nonsensitive
sensitive tobool tolist tomap tonumber toset tostring try type ephemeralasnull
""".split())
# Words of the template and expression language that a `(` may follow.
KEYWORDS = frozenset({"if", "for", "in", "else", "endif", "endfor"})
# Built-in resources besides the aws provider's (a provisioner on them is refused like any other).
BUILT_IN_RESOURCES = frozenset({"terraform_data"})
# Attributes that name a file Terraform or the provider reads: only a file inside the workspace directory.
FILE_ATTRIBUTES = frozenset({"filename", "source", "content_file"})
MANIFEST = "manifest.json"
WORKSPACE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # a region code or `global`


def refuse_plan_time_code(out_dir: Path, *, emulated: bool) -> None:
    """Raise ViolationError naming every part of `out_dir` a credential-holding job must not run."""
    found = list(_problems(out_dir, emulated=emulated))
    if found:
        raise ViolationError(
            "error: the synthesized output handed to this job asks Terraform to run more than residency's "
            "constructs do, and this job holds cloud credentials:\n" + "\n".join(f"  {line}" for line in found),
            hint="a module the change added can write any of these; plan it without --from where its authors' "
                 "credentials belong, or change the extension (README: Pipelines)")


def _problems(out_dir: Path, *, emulated: bool) -> Iterator[str]:
    yield from _layout(out_dir)
    yield from _manifest(out_dir)
    stacks = out_dir / "stacks"
    for workspace in sorted(stacks.iterdir()) if stacks.is_dir() else []:
        if not workspace.is_dir():
            continue
        yield from _moves_only(workspace)
        document_file = workspace / "cdk.tf.json"
        try:
            document = json.loads(read_handed_text(document_file), object_pairs_hook=_refusing_duplicates)
        except (OSError, ValueError) as error:
            yield f"stacks/{workspace.name}/cdk.tf.json: cannot be read as residency writes it ({error})"
            continue
        if not isinstance(document, dict):
            yield f"stacks/{workspace.name}/cdk.tf.json: not a Terraform JSON document"
            continue
        for problem in _document_problems(document, workspace, emulated=emulated):
            yield f"{workspace.name}: {problem}"


def _layout(out_dir: Path) -> Iterator[str]:
    """Only the files synth writes: the manifest, a configuration per workspace and its assets (and the lock and
    moves files Terraform and plan write). Anything else could be read by Terraform: `terraform.d/plugins` in a
    workspace is a provider mirror Terraform uses, a provider being a program."""
    for path in sorted(out_dir.rglob("*")):
        parts = path.relative_to(out_dir).parts
        relative = "/".join(parts)
        if path.is_symlink():
            yield f"{relative}: a symbolic link (it could name any file of the runner)"
        elif path.is_dir():
            if not (parts == ("stacks",) or (parts[0] == "stacks" and (len(parts) == 2 or parts[2] == "assets"))):
                yield f"{relative}/: a directory residency does not write"
        elif not path.is_file():
            yield f"{relative}: not a regular file"
        elif not (parts in ((MANIFEST,), (SCP_FILE,)) or (
                parts[0] == "stacks" and len(parts) >= 3 and (
                    (len(parts) == 3 and parts[2] in ("cdk.tf.json", *NOT_SYNTHESIZED)) or parts[2] == "assets"))):
            yield f"{relative}: a file residency does not write (Terraform could read it)"


def _manifest(out_dir: Path) -> Iterator[str]:
    """The manifest names each workspace's directory: only `stacks/<its name>`, the directories there."""
    try:
        manifest = json.loads(read_handed_text(out_dir / MANIFEST), object_pairs_hook=_refusing_duplicates)
        stacks = manifest["stacks"]
        named = {str(name): stack["workingDirectory"] for name, stack in stacks.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        yield f"{MANIFEST}: cannot be read as residency writes it ({error})"
        return
    for name, directory in sorted(named.items()):
        if directory != f"stacks/{name}" or not WORKSPACE_NAME.match(name):
            yield f"{MANIFEST}: the workspace {name!r} is in {directory!r}, not stacks/{name}"
    present = {path.name for path in (out_dir / "stacks").iterdir()} if (out_dir / "stacks").is_dir() else set()
    for name in sorted(present ^ set(named)):
        yield f"stacks/{name}: {'not in the manifest' if name in present else 'missing'}"


def _refusing_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Terraform merges a key given twice where Python keeps the last: refused, whatever the key."""
    keys = [key for key, _ in pairs]
    doubled = sorted({key for key in keys if keys.count(key) > 1})
    if doubled:
        raise ValueError(f"the key {doubled[0]!r} is given twice")
    return dict(pairs)


def _moves_only(workspace: Path) -> Iterator[str]:
    """A moves file (written by plan, terraform/renames.py) holds `moved` blocks and nothing else."""
    path = workspace / MOVES_FILE
    if not path.exists():
        return
    try:
        document = json.loads(read_handed_text(path))
    except (OSError, ValueError):
        document = None
    if not isinstance(document, dict) or set(document) - {"//", "moved"}:
        yield f"stacks/{workspace.name}/{MOVES_FILE}: holds more than `moved` blocks"


def _document_problems(document: dict[str, object], workspace: Path, *, emulated: bool) -> Iterator[str]:
    for key in sorted(set(document) - TOP_LEVEL):
        yield f"a top-level `{key}` block (modules, checks and imports are not what residency writes)"
    yield from _terraform_block(_mapping(document.get("terraform")), emulated=emulated)
    yield from _providers(_mapping(document.get("provider")), emulated=emulated)
    for kind, named in sorted(_mapping(document.get("data")).items()):
        if kind not in DATA_SOURCES:
            yield (f"data source `{kind}`: Terraform reads it while planning, and residency hands over only data "
                   f"sources that read no stored data ({', '.join(sorted(DATA_SOURCES))})")
        yield from _other_providers(f"data.{kind}", _mapping(named))
    yield from _resources(_mapping(document.get("resource")), workspace)
    yield from _remote_states(document)
    called = {name for text in _strings(document) for name in called_functions(text)}
    for name in sorted(called - PURE_FUNCTIONS - KEYWORDS):
        yield (f"the function `{name}`: residency hands over only functions that read nothing but their arguments "
               "(file functions read the runner's files, `file(\"/proc/self/environ\")` its credentials)")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _remote_states(document: dict[str, object]) -> Iterator[str]:
    """A remote state is read while planning, through its own backend: only the workspace's kind of backend,
    with residency's settings and nothing computed (an address built from the runner's files, an endpoint)."""
    own = set(_mapping(_mapping(document.get("terraform")).get("backend"))) or {"cloud"}
    for name, body in _mapping(_mapping(document.get("data")).get("terraform_remote_state")).items():
        block = _mapping(body)
        kind = block.get("backend")
        if kind not in own or kind not in BACKENDS:
            yield f"terraform_remote_state.{name}: the backend {kind!r}, not this workspace's"
            continue
        config = _mapping(block.get("config"))
        allowed = BACKENDS[str(kind)] | (EMULATED_S3_BACKEND if kind == "s3" else frozenset())
        for key in sorted(set(config) - allowed):
            yield f"terraform_remote_state.{name}: `{key}` in its config"
        if any("${" in text or "%{" in text for text in _strings(config)):
            yield f"terraform_remote_state.{name}: a computed config (it is read while planning)"


def _terraform_block(block: dict[str, object], *, emulated: bool) -> Iterator[str]:
    for key in sorted(set(block) - TERRAFORM_BLOCK):
        yield f"`terraform.{key}`"
    for name, requirement in _mapping(block.get("required_providers")).items():
        source = _mapping(requirement).get("source") if isinstance(requirement, dict) else requirement
        if name != "aws" or source not in AWS_PROVIDER_SOURCES:
            yield f"the provider `{name}` ({source}): residency's workspaces use only hashicorp/aws"
    backends = _mapping(block.get("backend"))
    for kind, settings in backends.items():
        allowed = BACKENDS.get(kind)
        if allowed is None:
            yield f"the state backend `{kind}`: residency writes local, s3 or HCP Terraform's cloud block"
            continue
        if emulated and kind == "s3":
            allowed = allowed | EMULATED_S3_BACKEND
        for key in sorted(set(_mapping(settings)) - allowed):
            yield f"`{key}` in the {kind} backend (it could send state requests elsewhere)"
    for key in sorted(set(_mapping(block.get("cloud"))) - CLOUD_BLOCK):
        yield f"`{key}` in the cloud block"


def _providers(providers: dict[str, object], *, emulated: bool) -> Iterator[str]:
    allowed = PROVIDER_ARGUMENTS | (EMULATED_PROVIDER_ARGUMENTS if emulated else frozenset())
    for name, blocks in providers.items():
        if name != "aws":
            yield f"a configuration of the provider `{name}`"
            continue
        for block in blocks if isinstance(blocks, list) else [blocks]:
            for key in sorted(set(_mapping(block)) - allowed):
                yield (f"`{key}` in the aws provider (endpoints, roles and credentials are the job's, not the "
                       "change's)")
            yield from _emulator_endpoints(_mapping(block).get("endpoints"))


def _emulator_endpoints(endpoints: object) -> Iterator[str]:
    """The local target's endpoints are the emulator residency starts, never a host the change names."""
    if endpoints is None:
        return
    emulator = f"${{var.{LOCAL_ENDPOINT_VARIABLE}}}"
    for entry in endpoints if isinstance(endpoints, list) else [endpoints]:
        for service, url in _mapping(entry).items():
            if url != emulator:
                yield f"the aws provider's `{service}` endpoint is {url!r}, not the emulator's ({emulator})"


def _resources(resources: dict[str, object], workspace: Path) -> Iterator[str]:
    for kind, named in resources.items():
        if not kind.startswith("aws_") and kind not in BUILT_IN_RESOURCES:
            yield f"resource type `{kind}`: it needs another provider than hashicorp/aws"
        yield from _other_providers(kind, _mapping(named))
        for name, body in _mapping(named).items():
            block = _mapping(body)
            if "provisioner" in block or "connection" in block:
                yield f"{kind}.{name}: a provisioner (it runs commands on the runner)"
            for key in sorted(FILE_ATTRIBUTES & set(block)):
                value = block[key]
                if isinstance(value, str) and not _inside(workspace, value):
                    yield f"{kind}.{name}: `{key}` names {value!r}, outside the workspace's synthesized files"


def _other_providers(kind: str, named: dict[str, object]) -> Iterator[str]:
    """A `provider` meta-argument naming another provider than aws makes Terraform install and run that one."""
    for name, body in named.items():
        provider = _mapping(body).get("provider")
        if provider is not None and not (provider == "aws" or str(provider).startswith("aws.")):
            yield f"{kind}.{name}: the provider {provider!r}"


def _inside(workspace: Path, value: str) -> bool:
    if "${" in value or value.startswith(("/", "~")) or "\\" in value:
        return False
    resolved = (workspace / value).resolve()
    return resolved.is_relative_to(workspace.resolve()) and resolved.is_file()


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}
