"""`make bench`: every benchmark, each beside the limit it is compared with, into docs/performance.md.

Each module in MODULES has ``run() -> list[row]`` (bench.common.row). A module that fails is
reported as failed and the others still run. A partial run (``bench/run.py areas``) puts its rows
into the table of the last full run, each marked with its date.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODULES = [
    "bench.ledger_bench",
    "bench.http_bench",
    "bench.cluster_bench",
    "bench.measures_bench",
    "bench.audit_bench",
    "bench.web_bench",
    "bench.field_outbox",
    "bench.bad_input_bench",
    "bench.signin_bench",
    "bench.areas_bench",
]


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main(argv: list[str]) -> int:
    wanted = [m for m in MODULES if not argv or any(a in m for a in argv)]
    rows, failures = [], []
    for name in wanted:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:
                print("   (not present)")
                continue
            raise
        try:
            for r in module.run():
                r["module"] = name
                rows.append(r)
                ratio = f"ratio {r['ratio']:.2f}" if r.get("ratio") is not None else ""
                print(f"   {r['name']}: {fmt(r['value'])} {r['unit']}  goal {r['goal']}  {ratio}", flush=True)
        except Exception:  # noqa: BLE001 - one failing benchmark must not hide the others
            failures.append((name, traceback.format_exc()))
            print(traceback.format_exc(), file=sys.stderr)
        print(f"   ({time.perf_counter() - started:.0f} s)")
    write_report(rows, failures, partial=bool(argv))
    return 1 if failures else 0


def table_line(r: dict) -> str:
    return f"| `{r['name']}` | {fmt(r['value'])} {r['unit']} | {r['goal']} | {ratio_text(r)} | {r.get('note', '')} |"


def merge_partial(earlier: str, rows: list[dict]) -> tuple[list[str], list[str]]:
    """The earlier report's head and table with this partial run's rows put in: a row of the same
    name replaced, a new one added, each marked with its own date so that the table says which
    rows were not measured in the full run its heading names."""
    lines = earlier.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("| benchmark |"))
    end = next((i for i in range(start + 2, len(lines)) if not lines[i].startswith("|")), len(lines))
    head, body = lines[:start + 2], lines[start + 2:end]
    when = f"{datetime.now(timezone.utc):%Y-%m-%d}"
    for r in rows:
        line = table_line({**r, "note": f"{r.get('note', '')} (partial run `bench/run.py`, {when})"})
        at = next((i for i, old in enumerate(body) if old.startswith(f"| `{r['name']}` |")), None)
        if at is None:
            body.append(line)
        else:
            body[at] = line
    return head, body


def ratio_text(r: dict) -> str:
    return "" if r.get("ratio") is None else f"{r['ratio']:.2f}"


def write_report(rows: list[dict], failures: list[tuple[str, str]], partial: bool) -> None:
    path = ROOT / "docs" / "performance.md"
    head = [
        "# Performance",
        "",
        f"Measured by `make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, on this project's 2-core machine. "
        "Each figure is measured in the same run as the limit it is compared with; the ratio is "
        "value / goal (or against the limit named in the note): for throughput higher is better, "
        "for times and memory lower is better.",
        "",
        "| benchmark | value | goal | ratio | note |",
        "|---|---|---|---|---|",
    ]
    body = [table_line(r) for r in rows]
    tail = ["", "## Failed benchmarks", ""] + [f"- `{n}`: see the run's output" for n, _ in failures] if failures else []
    analysis = (ROOT / "docs" / "performance-notes.md")
    notes = ["", analysis.read_text()] if analysis.exists() else []
    if partial:
        if failures or not path.exists():
            print("(a partial run with failures or no earlier report: docs/performance.md left as it was)")
            return
        head, body = merge_partial(path.read_text(), rows)
    path.write_text("\n".join(head + body + tail + notes) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
