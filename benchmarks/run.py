"""residency's speed and memory figures, each beside its baseline measured in the same run.

    python benchmarks/run.py              # startup, synth (cold, cached, one region changed), scale, check
    python benchmarks/run.py --terraform  # also plan --all against single plans, apply --all
                                          # against --parallelism 1, and verify after an apply with a
                                          # domain (local target, minutes; needs RESIDENCY_PROVIDER_MIRROR
                                          # without a registry)
    python benchmarks/run.py --quick      # one run per figure instead of a median

Prints one table: figure, residency, baseline, ratio, target, met. Everything runs in a scratch
directory, as separate processes, the way a user runs residency.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Run, median_of, run  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE = REPOSITORY / "regions.yaml"
ENV = {"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
# Regions for the scale series, one country each (any valid code: routing is not what is measured).
SCALE_REGIONS = (
    ("us-east-1", "US", "US"), ("eu-central-1", "EU", "DE, EU"), ("ap-southeast-2", "AU", "AU"),
    ("eu-west-1", "EU", "IE"), ("eu-west-3", "EU", "FR"), ("ca-central-1", "CA", "CA"),
    ("us-west-2", "US", "PR"), ("eu-north-1", "EU", "SE"), ("eu-south-1", "EU", "IT"),
    ("eu-south-2", "EU", "ES"), ("eu-west-2", "UK", "GB"), ("eu-central-2", "CH", "CH"),
    ("sa-east-1", "BR", "BR"), ("ap-northeast-1", "JP", "JP"), ("ap-northeast-2", "KR", "KR"),
    ("ap-southeast-1", "SG", "SG"), ("ap-south-1", "IN", "IN"), ("af-south-1", "ZA", "ZA"),
    ("me-central-1", "AE", "AE"), ("il-central-1", "IL", "IL"),
)
CANADA = "  ca-central-1:\n    jurisdiction: CA\n    countries: [CA]\n"


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


def residency(*args: str) -> list[str]:
    return [sys.executable, "-m", "residency", *args]


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        sys.exit(f"{what} failed (exit {result.returncode}):\n{result.output[-3000:]}")
    return result


def repeat(times: int, once: Callable[[], Run], what: str) -> Run:
    return median_of([checked(once(), what) for _ in range(times)])


def cold(project: Path) -> None:
    """Forget the last synth, so the next one does all the work."""
    shutil.rmtree(project / "cdktf.out", ignore_errors=True)
    (project / ".residency" / "synth.json").unlink(missing_ok=True)


def scale_config(regions: int) -> str:
    lines = ["project: bench-scale", "target: local", "global:", "  region: us-east-1", "regions:"]
    for index, (code, jurisdiction, country) in enumerate(SCALE_REGIONS[:regions]):
        lines += [f"  {code}:", f"    jurisdiction: {jurisdiction}", f"    countries: [{country}]"]
        if index == 0:
            lines.append("    default: true")
    return "\n".join(lines) + "\n"


def inodes(out: Path) -> dict[str, set[int]]:
    return {stack.name: {path.stat().st_ino for path in stack.rglob("*") if path.is_file()}
            for stack in (out / "stacks").iterdir()}


def startup(project: Path, times: int) -> list[Row]:
    help_run = repeat(times, lambda: run(residency("--help"), project, ENV), "residency --help")
    validate = repeat(times, lambda: run(residency("validate"), project, ENV), "residency validate")
    return [
        Row("`residency --help`", f"{help_run.seconds:.2f} s", target="< 0.3 s", met=help_run.seconds < 0.3),
        Row("`residency validate` (sample)", f"{validate.seconds:.2f} s", target="< 0.5 s",
            met=validate.seconds < 0.5),
    ]


def synth_figures(project: Path, times: int) -> list[Row]:
    def residency_cold() -> Run:
        cold(project)
        return run(residency("synth"), project, ENV)

    def plain_app() -> Run:
        out = project / "plain.out"
        shutil.rmtree(out, ignore_errors=True)
        return run([sys.executable, str(REPOSITORY / "benchmarks" / "plain_cdktf_app.py"),
                    str(project / "regions.yaml"), str(out)], project, ENV)

    # A new machine's first synth also builds residency's copy of the provider index (once per
    # provider version): measured apart with an empty cache, then the usual cache is warmed.
    first = checked(run(residency("synth"), project, {**ENV, "XDG_CACHE_HOME": str(project / "new-cache")}),
                    "residency synth (new machine)")
    shutil.rmtree(project / "new-cache", ignore_errors=True)
    checked(residency_cold(), "residency synth (warm-up)")
    ours = repeat(times, residency_cold, "residency synth")
    plain = repeat(times, plain_app, "the plain CDKTF app")
    same = _same_output(project / "cdktf.out", project / "plain.out")
    cached = repeat(max(times, 3), lambda: run(residency("synth"), project, ENV), "residency synth (cached)")
    if "up to date" not in cached.output:
        sys.exit(f"the second synth was not a cache hit:\n{cached.output[-2000:]}")

    before = inodes(project / "cdktf.out")
    text = (project / "regions.yaml").read_text()
    (project / "regions.yaml").write_text(text.replace("regions:\n", "regions:\n" + CANADA, 1))
    changed = checked(run(residency("synth"), project, ENV), "residency synth (one region added)")
    after = inodes(project / "cdktf.out")
    (project / "regions.yaml").write_text(text)
    rewritten = sorted(name for name in after if after[name] != before.get(name))
    speedup = plain.seconds / ours.seconds
    return [
        Row("`residency synth --all` (sample, cold)", f"{ours.seconds:.1f} s",
            f"{plain.seconds:.1f} s (plain CDKTF app{'' if same else ', DIFFERENT OUTPUT'})",
            f"{speedup:.1f}x faster", ">= 4x faster", speedup >= 4 and same),
        Row("first synth on a new machine (empty cache)", f"{first.seconds:.1f} s", "", "", "once per machine"),
        Row("peak memory of that synth (process tree)", f"{ours.peak_mb:.0f} MB", f"{plain.peak_mb:.0f} MB",
            f"{plain.peak_mb / ours.peak_mb:.1f}x less", "< 700 MB", ours.peak_mb < 700),
        Row("`residency synth`, nothing changed (cache hit)", f"{cached.seconds:.2f} s", f"{ours.seconds:.1f} s (cold)",
            f"{ours.seconds / cached.seconds:.0f}x faster", "< 0.5 s", cached.seconds < 0.5),
        Row("`residency synth`, one region added", f"{changed.seconds:.1f} s",
            f"rewrote {', '.join(rewritten) or 'nothing'}", f"{len(rewritten)} of {len(after)} workspaces",
            "only what changed", rewritten == ["ca-central-1", "global"]),
    ]


def scale_figures(scratch: Path, times: int) -> list[Row]:
    points: list[tuple[int, float, float]] = []
    for count in (1, 6, 20):
        project = scratch / f"scale-{count}"
        project.mkdir()
        (project / "regions.yaml").write_text(scale_config(count))

        def once(project: Path = project) -> Run:
            cold(project)
            return run(residency("synth"), project, ENV)

        result = repeat(times, once, f"synth of {count} regions")
        points.append((count, result.seconds, result.peak_mb))
    slope, intercept = _line([(float(n), s) for n, s, _ in points])
    worst = max(abs(s - (intercept + slope * n)) / s for n, s, _ in points)
    series = ", ".join(f"{n}: {s:.1f} s / {mb:.0f} MB" for n, s, mb in points)
    return [Row("synth time by regions (1, 6, 20)", series, f"{intercept:.1f} s fixed",
                f"{slope:.2f} s per extra region", "close to linear", worst < 0.15)]


def check_figures(scratch: Path, times: int) -> list[Row]:
    """The residency rules over the 20-region output scale_figures left, as CI and pull requests run them."""
    project = scratch / "scale-20"
    check = repeat(times, lambda: run(residency("check", "--out", "cdktf.out"), project, ENV), "check --out")
    validate = repeat(times, lambda: run(residency("validate"), project, ENV), "validate (20 regions)")
    return [Row(f"`residency check --out` (20 regions + global, {rule_count()} rules)",
                f"{check.seconds:.2f} s, peak {check.peak_mb:.0f} MB",
                f"{validate.seconds:.2f} s, {validate.peak_mb:.0f} MB (`validate`: start-up and loading regions.yaml)",
                f"{check.seconds - validate.seconds:.2f} s for the rules", "< 1 s", check.seconds < 1)]


def rule_count() -> int:
    from residency.guard.rules import RULES

    return len(RULES)


def plan_figures(project: Path) -> list[Row]:
    cold(project)
    checked(run(residency("plan", "--all", "--no-progress"), project, ENV), "warm-up plan --all")
    logs = project / ".residency" / "logs"
    seen = set(logs.iterdir())
    together = checked(run(residency("plan", "--all", "--no-progress"), project, ENV), "plan --all")
    [run_logs] = set(logs.iterdir()) - seen
    inits = sum(log.read_text().count("$ terraform init") for log in run_logs.iterdir())
    workspaces = [line.split()[0] for line in together.output.splitlines()
                  if line.split() and line.split()[0] in ("eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2",
                                                                  "global")]
    single_runs = {name: checked(run(residency("plan", name, "--no-progress"), project, ENV), f"plan {name}")
                   for name in dict.fromkeys(workspaces)}
    singles = {name: result.seconds for name, result in single_runs.items()}
    slowest = max(singles, key=lambda name: singles[name])
    ratio = together.seconds / singles[slowest]
    # Plans here are CPU-bound (Terraform and the provider; the emulator answers in milliseconds):
    # whatever the scheduling, the run cannot beat the CPU time of all plans spread over every core.
    cpus = os.cpu_count() or 1
    floor = max(sum(result.cpu_seconds for result in single_runs.values()) / cpus, singles[slowest])
    return [Row("`residency plan --all` (sample, local target, nothing applied)", f"{together.seconds:.1f} s",
                f"{singles[slowest]:.1f} s (slowest single plan: {slowest})", f"{ratio:.2f}x", "<= 1.5x",
                ratio <= 1.5),
            Row(f"CPU floor of that run on {cpus} CPUs", f"{floor:.1f} s",
                f"{sum(r.cpu_seconds for r in single_runs.values()):.1f} CPU-s in the single plans",
                f"{floor / singles[slowest]:.2f}x", "", None),
            Row("`terraform init` runs in that plan --all", str(inits), "after a first plan", "", "0 (skipped)",
                inits == 0)]


def apply_figures(scratch: Path) -> list[Row]:
    """`apply --all` of the sample on the local target, one workspace at a time and by default.

    Each run gets a fresh project and emulator, so both create everything from nothing.
    """
    seconds: dict[str, float] = {}
    for label, extra in (("one at a time", ("--parallelism", "1")), ("default", ())):
        project = scratch / f"apply-{label.replace(' ', '-')}"
        project.mkdir()
        shutil.copy(SAMPLE, project / "regions.yaml")
        checked(run(residency("synth"), project, ENV), "synth")
        try:
            applied = checked(run(residency("apply", "--all", "--no-progress", *extra), project, ENV),
                              f"apply --all ({label})")
            seconds[label] = applied.seconds
        finally:
            run(residency("local", "down"), project, ENV)
    speedup = seconds["one at a time"] / seconds["default"]
    return [Row("`residency apply --all` (sample, local target, from nothing)", f"{seconds['default']:.0f} s",
                f"{seconds['one at a time']:.0f} s with `--parallelism 1`", f"{speedup:.2f}x faster", ">= 2x",
                speedup >= 2)]


def verify_figures(scratch: Path, times: int) -> list[Row]:
    """`residency verify` on the sample with a domain, applied on the local target: reading the deployed routing
    and judging every listed country should take seconds."""
    project = scratch / "verify"
    project.mkdir()
    (project / "regions.yaml").write_text(SAMPLE.read_text().replace("target: local", "target: local\ndomain: "
                                                                      "example.org", 1))
    try:
        checked(run(residency("apply", "--all", "--no-progress"), project, ENV), "apply --all (with a domain)")
        verified = median_of([checked(run(residency("verify"), project, ENV), "verify") for _ in range(times)])
    finally:
        run(residency("local", "down"), project, ENV)
    judged = sum(1 for line in verified.output.splitlines() if line.rstrip().endswith(" ok"))
    return [Row(f"`residency verify` (sample with a domain: {judged} answers judged, local target)",
                f"{verified.seconds:.1f} s", "", "", "< 10 s", verified.seconds < 10)]


def _same_output(ours: Path, plain: Path) -> bool:
    def documents(out: Path) -> dict[str, object]:
        return {path.parent.name: json.loads(path.read_text()) for path in out.glob("stacks/*/cdk.tf.json")}

    return documents(ours) == documents(plain)


def _line(points: list[tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    slope = statistics.covariance(xs, ys) / statistics.variance(xs)
    return slope, statistics.mean(ys) - slope * statistics.mean(xs)


def render(rows: list[Row]) -> str:
    header = "| figure | residency | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n"
    mark = {True: "yes", False: "**no**", None: ""}
    return header + "".join(f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {mark[r.met]} |\n"
                            for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run per figure instead of a median")
    parser.add_argument("--terraform", action="store_true",
                        help="also measure plan --all and apply --all (slow: minutes)")
    options = parser.parse_args()
    times = 1 if options.quick else 3
    scratch = Path(tempfile.mkdtemp(prefix="residency-bench-"))
    try:
        project = scratch / "sample"
        project.mkdir()
        shutil.copy(SAMPLE, project / "regions.yaml")
        rows = startup(project, 5 if not options.quick else 1)
        rows += synth_figures(project, times)
        rows += scale_figures(scratch, times)
        rows += check_figures(scratch, 5 if not options.quick else 1)
        if options.terraform:
            try:
                rows += plan_figures(project)
            finally:
                run(residency("local", "down"), project, ENV)
            rows += apply_figures(scratch)
            rows += verify_figures(scratch, times)
        print(f"residency benchmarks: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
              f"{'one run' if options.quick else 'median of 3 (startup: of 5)'} per figure\n")
        print(render(rows), end="")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
