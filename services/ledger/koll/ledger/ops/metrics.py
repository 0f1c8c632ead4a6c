"""`/metrics` in Prometheus' text format, from prometheus_client (the format's own library).

Requests are counted and timed by route template (`/api/v1/cases/<uuid:case_id>`, never the
id itself, so the series stay few) and status. The ledger's and each projection's position
are read from the database when scraped, so every instance reports the one shared truth.
Each app has its own registry: several apps in one process (the tests) never share counters.
With several gunicorn workers each worker answers for itself; scrape through each instance or
set PROMETHEUS_MULTIPROC_DIR as prometheus_client documents.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from koll.ledger.store import events_table, tracking_table

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class LedgerCollector(Collector):
    """Positions read at scrape time: the ledger's end and how far each read model has come."""

    def __init__(self, koll: Any) -> None:
        self.koll = koll
        self.started = time.time()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("koll_database_up", "1 when the database answered this scrape.")
        uptime = GaugeMetricFamily("koll_process_uptime_seconds", "Seconds since this worker started.")
        uptime.add_metric([], time.time() - self.started)
        yield uptime
        try:
            with self.koll.store.read() as conn:
                position = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
                positions = list(conn.execute(sa.select(tracking_table.c.projection, tracking_table.c.position)))
        except sa.exc.SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        ledger = GaugeMetricFamily("koll_ledger_position", "Number of events in the ledger.")
        ledger.add_metric([], position)
        yield ledger
        projection = GaugeMetricFamily("koll_projection_position", "Ledger position each read model has reached.",
                                       labels=["projection"])
        for name, pos in positions:
            projection.add_metric([name], pos)
        yield projection
        pending, failing = self.koll.ledger.webhooks.queue_length()
        queue = GaugeMetricFamily("koll_webhook_queue", "Webhook deliveries waiting to be sent.")
        queue.add_metric([], pending)
        yield queue
        failures = GaugeMetricFamily("koll_webhook_failing", "Waiting deliveries whose last attempt failed.")
        failures.add_metric([], failing)
        yield failures


def register(app: Flask) -> None:
    registry = CollectorRegistry()
    requests_total = Counter("koll_http_requests", "HTTP requests answered, by route, method and status.",
                             ["route", "method", "status"], registry=registry)
    latency = Histogram("koll_http_request_duration_seconds", "Time to answer, by route and method.",
                        ["route", "method"], buckets=_BUCKETS, registry=registry)
    registry.register(LedgerCollector(app.extensions["koll"]))
    app.extensions["koll_metrics"] = registry

    @app.before_request
    def _start_clock() -> None:
        g.koll_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("koll_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            requests_total.labels(route, request.method, str(response.status_code)).inc()
            latency.labels(route, request.method).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():  # type: ignore[no-untyped-def]
        return Response(generate_latest(current_app.extensions["koll_metrics"]), mimetype=CONTENT_TYPE)
