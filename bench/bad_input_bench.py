"""Hostile files against the server's own code: what a small upload can cost a worker.

A PNG of 7000×7000 black pixels (0.14 MB) and an xlsx that unpacks to 160 MB of empty rows
(0.2 MB), each in a fresh process so the memory figure is the worker's own peak.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import row

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from hostile import empty_rows_bomb, png_bomb
what, blobs = sys.argv[2], sys.argv[3]
data = png_bomb(7000) if what == "png" else empty_rows_bomb(160)
from koll.ledger.photos import PhotoStore
from koll.ledger import measure_sheet
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before, started = rss(), time.perf_counter()
try:
    if what == "png":
        PhotoStore(blobs).put(data)
    else:
        measure_sheet.read_xlsx(data)
    answer = "accepted"
except Exception as e:
    answer = type(e).__name__
print(json.dumps({"bytes": len(data), "grew_mb": rss() - before, "seconds": time.perf_counter() - started,
                  "answer": answer}))
"""


def _measure(what: str) -> dict:
    with tempfile.TemporaryDirectory() as blobs:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT / "tests"), what, blobs],
                             check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    png, sheet = _measure("png"), _measure("xlsx")
    return [
        row("PNG 7000×7000 (0.14 MB): worker's peak memory growth", round(png["grew_mb"], 1), "MB",
            "refused from its header: < 20 MB", note=f"{png['bytes']:,} bytes, {png['answer']}"),
        row("xlsx of 160 MB empty rows: server time", round(sheet["seconds"], 2), "s",
            "refused in < 1 s", note=f"{sheet['bytes']:,} bytes, {sheet['answer']}"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
