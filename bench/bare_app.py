"""The comparison endpoint: bare Flask inserting the posted JSON into SQLite (WAL, FULL).

Run under really sync workers (no threads); bench/http_bench.py makes the file and sets WAL first.

What any Python service on these cores can do at the same durability; Koll's whole path is
measured against it in the same run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
DB = os.environ.get("BARE_DB", "/tmp/bare.sqlite")


def conn() -> sqlite3.Connection:
    c = getattr(_local, "conn", None)
    if c is None:
        c = sqlite3.connect(DB, isolation_level=None, timeout=60)
        c.execute("PRAGMA synchronous=FULL")  # WAL is the file's, set once before the workers start
        _local.conn = c
    return c


@app.post("/api/v1/observations")
def file_observation():  # type: ignore[no-untyped-def]
    body = request.get_json()
    c = conn()
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT INTO reports VALUES (?, ?)", (body["id"], json.dumps(body)))
    c.execute("COMMIT")
    return {"id": body["id"]}, 201
