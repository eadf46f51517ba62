"""What an extension may do to the app residency builds: add to the workspace it is called in, nothing else.

Refused (exit 65), naming the extension and the workspace it was called in, with nothing written:
a Terraform stack (a workspace residency did not make); a construct in another workspace or at the
app's root, a reference to another workspace's resource (CDKTF would make it an output there), or a
dependency between workspaces; removing anything residency made; a construct or output named like the
output residency lists the declared stores in; any change to residency's own configuration (its
backend, providers, resources and outputs: overrides included), and what CDKTF refuses (a validation,
an error annotation, a value it cannot resolve). What the extension's own Python code raises, also
later from an Aspect or a lazy value while the app is written, fails the command (exit 1) with the
line it was raised at.

Each call is checked when it returns: the construct tree, and the workspace's document against the one
residency made. Aspects and lazy values run only when the app is written, so the written documents of
every workspace are checked again then, before the new cdktf.out is swapped in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsii
from cdktf import App, Aspects, IStackSynthesizer, ISynthesisSession, TerraformStack
from constructs import IConstruct
from jsii.errors import JavaScriptError, JSIIError

from residency.errors import ExtensionFailed, ExtensionRefused, ResidencyError
from residency.personal_data import OUTPUT as PERSONAL_DATA_OUTPUT
from residency.stacks.bindings import CallbackErrors, remember_callback_errors, send_strict_json
from residency.stacks.declared_stores import declarations
from residency.synth import own_configuration
from residency.synth.extension_modules import described, raised_in, source_files

# The output and remote state CDKTF adds when a workspace refers to another one's resource (their ids begin
# with CROSS_STACK; residency's global workspace makes them too, after the regions' extensions ran).
CROSS_STACK = "cross-stack-"
CROSS_STACK_OUTPUT = f"{CROSS_STACK}output-"
# What CDKTF appends to its messages that is no help here (how to skip its validations, its stack).
CDKTF_ADVICE = ("If you wish to ignore", "Either fix the issues above", "Validations allow", "To skip validations",
                "Object creation stack")
NOTHING_WRITTEN = "nothing was written"


@dataclass(frozen=True)
class ExtensionCall:
    where: str  # the entry in regions.yaml: extensions.region[0]
    reference: str  # module:callable
    workspace: str
    scope: str  # the construct path of the scope it was given
    project_dir: Path

    def failed(self, error: BaseException) -> ExtensionFailed:
        """It raised: the exception and the line of the extension's code it came from (exit 1)."""
        return ExtensionFailed(f"{self.where}: {self.reference} failed in workspace {self.workspace}: "
                               f"{described(error, self.project_dir)}",
                               hint=f"{NOTHING_WRITTEN}; fix the extension and run again")

    def refused(self, what: str, hint: str) -> ExtensionRefused:
        return ExtensionRefused(f"{self.where}: {self.reference} in workspace {self.workspace} {what}",
                                hint=f"{hint}; {NOTHING_WRITTEN}")


class OutOfBounds(Exception):
    """What an extension did that residency refuses; the call it happened in makes the message (exit 65)."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint


def wrote_declaration() -> OutOfBounds:
    return OutOfBounds(f"wrote an output named {PERSONAL_DATA_OUTPUT!r}: that output is residency's, the list of "
                       "the workspace's personal-data stores",
                       "declare a store with context.declare_personal_data(resource, StoreKind...) and residency "
                       "lists it there")


class ExtensionBounds:
    """Calls the extensions of one app and holds them to what they may do (see the module's docstring)."""

    def __init__(self, *, extended: bool) -> None:
        """`extended`: whether the app has extensions at all (if not, nothing is watched, at no cost)."""
        self._extended = extended
        if extended:
            remember_callback_errors()
            send_strict_json()
        self._stacks: dict[str, TerraformStack] = {}
        self._reference: dict[str, dict[str, Any]] = {}  # workspace -> its document as residency made it
        self._calls: list[ExtensionCall] = []
        self._calls_before: dict[str, int] = {}  # workspace -> how many calls were made before it was watched
        self._writing: str | None = None  # the workspace CDKTF is writing, while it writes one

    def watch(self, stack: TerraformStack) -> None:
        """`stack` is residency's and complete but for its declaration: call before any extension runs."""
        if not self._extended:
            return
        workspace = stack.node.id
        stack.prepare_stack()  # references to other workspaces resolve as they will be written
        self._reference[workspace] = stack.to_terraform()
        self._stacks[workspace] = stack
        self._calls_before[workspace] = len(self._calls)
        stack.synthesizer = _Attributed(stack.synthesizer, workspace, self)

    def seal(self, stack: TerraformStack) -> None:
        """The declaration output residency added after the extensions joins the workspace's reference."""
        if not self._extended:
            return
        outputs = stack.to_terraform().get("output") or {}
        self._reference[stack.node.id].setdefault("output", {})[PERSONAL_DATA_OUTPUT] = outputs[PERSONAL_DATA_OUTPUT]

    def call(self, call: ExtensionCall, extension: Callable[[], object]) -> None:
        """Run `extension`; ExtensionFailed if it raises, ExtensionRefused if what it did is out of bounds."""
        self._calls.append(call)
        stack = self._stacks[call.workspace]
        constructs = self._constructs()
        stores = {name: declarations(each) for name, each in self._stacks.items()}
        dependencies = self._dependencies()
        aspects = self._aspects()
        with CallbackErrors() as raised:
            try:
                extension()
            except OutOfBounds as refused:  # residency's API refused it (context.output)
                raise call.refused(refused.what, refused.hint) from None
            except (Exception, SystemExit) as error:  # noqa: BLE001 - the team's code: reported, with its place
                raise call.failed(error) from None
            try:
                stack.prepare_stack()  # makes what a reference to another workspace adds there
                self._check_tree(call, constructs)
                self._check_stores(call, stores)
                self._check_dependencies(dependencies)
                self._check_aspects(aspects)
                stack.run_all_validations()
                self._check_document(call, stack.to_terraform())
            except OutOfBounds as refused:
                raise call.refused(refused.what, refused.hint) from None
            except Exception as error:  # noqa: BLE001 - CDKTF refused what the extension built
                raise _explained(call, error, raised.first) from None

    def synthesize(self, write: Callable[[], None], outdir: Path) -> None:
        """`write` the app into `outdir`, then hold every workspace written to what residency made."""
        if not self._extended:
            write()
            return
        with CallbackErrors() as raised:
            try:
                write()
            except Exception as error:  # noqa: BLE001 - jsii: whatever the app's synthesis threw
                raise self._synthesis_failed(error, raised.first) from None
        written = sorted(path.name for path in (outdir / "stacks").iterdir())
        for workspace in written:
            if workspace not in self._reference:
                raise _blamed(self._calls, f"made the workspace {workspace!r}, which residency did not",
                              "every workspace is residency's: one per region, and global")
        for workspace, reference in self._reference.items():
            document = json.loads((outdir / "stacks" / workspace / "cdk.tf.json").read_text())
            changed = own_configuration.changed(reference, document)
            if changed:  # after its own calls were checked: by a later call, an Aspect or a lazy value
                raise _blamed(self._calls[self._calls_before[workspace]:],
                              f"changed residency's own {', '.join(changed)} of workspace {workspace} (later, or "
                              "while it was written: an Aspect or a lazy value)", _ADD_ONLY)

    def writing(self, workspace: str | None) -> None:
        self._writing = workspace

    def _check_tree(self, call: ExtensionCall, before: dict[str, IConstruct]) -> None:
        after = self._constructs()
        for ref in before.keys() - after.keys():
            raise OutOfBounds(f"removed {before[ref].node.path!r}, which it did not make", _ADD_ONLY)
        added = {construct.node.path: construct for ref, construct in after.items() if ref not in before}
        # Outside its workspace first: a reference to another workspace is named by the output it made there.
        for path in sorted(added, key=lambda path: (path.split("/")[0] == call.workspace, path)):
            construct = added[path]
            workspace = path.split("/")[0]
            if TerraformStack.is_stack(construct):
                raise OutOfBounds(f"added a Terraform stack {path!r}: a workspace residency did not make",
                                  "every workspace is residency's (one per region, and global): add your "
                                  "resources under the scope the extension is given")
            if construct.node.id.startswith(CROSS_STACK_OUTPUT) and workspace != call.workspace:
                raise OutOfBounds(f"refers to {construct.node.id.removeprefix(CROSS_STACK_OUTPUT)} of workspace "
                                  f"{workspace}: a workspace may not read another one's resources",
                                  "use the context's fields for this workspace's key, stores, API and users")
            if workspace != call.workspace:
                place = f"workspace {workspace}" if workspace in self._stacks else "the app, outside any workspace"
                raise OutOfBounds(f"added {path!r} to {place}",
                                  f"an extension adds only to the workspace it is called in ({call.workspace})")
            if construct.node.id == PERSONAL_DATA_OUTPUT:
                raise wrote_declaration()
            if construct.node.id.startswith(CROSS_STACK):
                raise OutOfBounds(f"added {path!r}, named like CDKTF's references between workspaces",
                                  "name your constructs otherwise")

    def _check_stores(self, call: ExtensionCall, before: Mapping[str, tuple[object, ...]]) -> None:
        for workspace, stores in before.items():
            now = declarations(self._stacks[workspace])
            if (now[:len(stores)] if workspace == call.workspace else now) != stores:
                raise OutOfBounds(f"changed the declared personal-data stores of workspace {workspace}",
                                  "declare a store of this workspace with context.declare_personal_data")

    def _check_dependencies(self, before: dict[str, list[str]]) -> None:
        for workspace, dependencies in self._dependencies().items():
            added = sorted(set(dependencies) - set(before.get(workspace, [])))
            if added:
                raise OutOfBounds(f"made workspace {workspace} depend on {', '.join(added)}",
                                  "the order of the workspaces is residency's")

    def _check_aspects(self, before: dict[str, int]) -> None:
        for place, count in self._aspects().items():
            if count != before.get(place):
                raise OutOfBounds(f"added an Aspect to {place}: it would visit what residency made",
                                  "add Aspects to the scope the extension is given")

    def _check_document(self, call: ExtensionCall, document: dict[str, Any]) -> None:
        if PERSONAL_DATA_OUTPUT in (document.get("output") or {}):
            raise wrote_declaration()
        changed = own_configuration.changed(self._reference[call.workspace], document)
        if changed:
            raise OutOfBounds(f"changed residency's own {', '.join(changed)}", _ADD_ONLY)

    def _constructs(self) -> dict[str, IConstruct]:
        """Every construct of the app, by its jsii reference (known on this side: no round trips)."""
        app = App.of(next(iter(self._stacks.values())))
        return {construct.__jsii_ref__.ref: construct  # type: ignore[attr-defined]
                for construct in app.node.find_all()}

    def _aspects(self) -> dict[str, int]:
        """How many Aspects the app and each workspace's stack have (deeper ones visit only their subtree)."""
        app = App.of(next(iter(self._stacks.values())))
        return {"the app": len(Aspects.of(app).all),
                **{f"workspace {name}": len(Aspects.of(stack).all) for name, stack in self._stacks.items()}}

    def _dependencies(self) -> dict[str, list[str]]:
        return {name: [other.node.id for other in stack.dependencies] for name, stack in self._stacks.items()}

    def _synthesis_failed(self, error: Exception, origin: BaseException | None) -> ResidencyError:
        """The app could not be written: blame the calls of the workspace being written (all, if none was)."""
        calls = [call for call in self._calls if self._writing in (None, call.workspace)] or self._calls
        message = str(error)
        calls = [call for call in calls if re.search(rf"{re.escape(call.scope)}(?![\w-])", message)] or calls
        if origin is not None and raised_in(origin, calls[0].project_dir) is not None:
            return ([call for call in calls if _raised_in(origin, call)] or calls)[0].failed(origin)
        return _blamed(calls, _refusal(error), "fix the extension")


@jsii.implements(IStackSynthesizer)
class _Attributed:
    """A workspace's synthesizer that notes which workspace is being written, for a failure's message."""

    def __init__(self, inner: IStackSynthesizer, workspace: str, bounds: ExtensionBounds) -> None:
        self._inner = inner
        self._workspace = workspace
        self._bounds = bounds

    def synthesize(self, session: ISynthesisSession) -> None:
        self._bounds.writing(self._workspace)
        self._inner.synthesize(session)
        self._bounds.writing(None)


_ADD_ONLY = "an extension adds resources and outputs of its own; what residency made stays as it made it"


def _explained(call: ExtensionCall, error: Exception, origin: BaseException | None) -> ResidencyError:
    if origin is not None and raised_in(origin, call.project_dir) is not None:  # the team's code raised
        return call.failed(origin)
    return call.refused(_refusal(error), "fix the extension")


def _blamed(calls: list[ExtensionCall], what: str, hint: str) -> ExtensionRefused:
    """One message for what one of `calls` did, when it cannot be told which: each entry, where it ran."""
    workspaces: dict[tuple[str, str], list[str]] = {}
    for call in calls:
        workspaces.setdefault((call.where, call.reference), []).append(call.workspace)
    who = " or ".join(f"{where}: {reference} in workspace{'s' if len(names) > 1 else ''} {', '.join(names)}"
                      for (where, reference), names in workspaces.items())
    return ExtensionRefused(f"{who} {what}", hint=f"{hint}; {NOTHING_WRITTEN}")


def _raised_in(error: BaseException, call: ExtensionCall) -> bool:
    """Whether `error` was raised in the code of `call`'s extension module (its package)."""
    return raised_in(error, call.project_dir) in {path.resolve() for path in
                                                  source_files(call.project_dir, [call.reference])}


def _refusal(error: Exception) -> str:
    """What CDKTF (JavaScript) threw, or what jsii could not pass it (a value JSON cannot hold)."""
    if isinstance(error, JSIIError) or isinstance(error.__cause__, JavaScriptError):
        return f"built what CDKTF refuses: {_cdktf_message(str(error))}"
    return f"gave CDKTF a value it cannot take ({type(error).__name__}: {error})"


def _cdktf_message(message: str) -> str:
    """CDKTF's message on one line, without its advice (how to skip validations) or its stack."""
    lines: list[str] = []
    for line in message.splitlines():
        if line.strip().startswith(CDKTF_ADVICE):
            break
        if line.strip() and line.strip() not in lines:  # an app's validation lists its errors twice
            lines.append(line.strip())
    return " ".join(lines).removeprefix("Error: ")

