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
import json, sys, time
sys.path.insert(0, sys.argv[1])
from hostile import empty_rows_bomb, png_bomb
what, blobs = sys.argv[2], sys.argv[3]
data = open(sys.argv[4], "rb").read() if what == "jpeg" else png_bomb(7000) if what == "png" else empty_rows_bomb(160)
from koll.ledger.photos import FolderPhotoStore as PhotoStore
from koll.ledger import measure_sheet
def rss():  # this process's own peak (ru_maxrss would carry the parent's across exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
before, started = rss(), time.perf_counter()
try:
    if what in ("png", "jpeg"):
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
        photo = Path(blobs) / "photo.jpg"
        if what == "jpeg":  # a 48 MP phone photo, made here so the child's peak is its own
            from PIL import Image

            Image.new("RGB", (8000, 6000), (120, 90, 60)).save(photo, "JPEG", quality=90)
        out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT / "tests"), what, blobs, str(photo)],
                             check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    png, jpeg, sheet = _measure("png"), _measure("jpeg"), _measure("xlsx")
    return [
        row("JPEG 8000×6000 (48 MP): worker's peak memory growth", round(jpeg["grew_mb"], 1), "MB",
            "stored, decoded at a fraction of its size", note=f"{jpeg['bytes']:,} bytes, {jpeg['answer']}"),
        row("PNG 7000×7000 (0.14 MB): worker's peak memory growth", round(png["grew_mb"], 1), "MB",
            "refused from its header: < 20 MB", note=f"{png['bytes']:,} bytes, {png['answer']}"),
        row("xlsx of 160 MB empty rows: server time", round(sheet["seconds"], 2), "s",
            "refused in < 1 s", note=f"{sheet['bytes']:,} bytes, {sheet['answer']}"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
