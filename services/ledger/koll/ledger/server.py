"""The Flask application: the API under /api/v1 and the boards, over one Ledger."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from koll.ledger import ops
from koll.ledger.api import body, errors, openapi
from koll.ledger.application import Ledger
from koll.ledger.audit import outside
from koll.ledger.audit.asof import AsOfCache, CheckpointMaker
from koll.ledger.config import Settings
from koll.ledger.production import refuse_unsafe
from koll.ledger.store import Store, check_durability


@dataclass
class Koll:
    """What every request needs, made once per process."""

    settings: Settings
    store: Store
    ledger: Ledger


def open_ledger(settings: Settings) -> Koll:
    store = Store(settings.database_url)
    check_durability(store.engine)
    ledger = Ledger(store)
    outside.attach(ledger, settings.var_dir)
    return Koll(settings=settings, store=store, ledger=ledger)


def create_app(settings: Settings | None = None, koll: Koll | None = None) -> Flask:
    settings = settings or (koll.settings if koll else Settings.from_env())
    koll = koll or open_ledger(settings)
    refuse_unsafe(settings, koll.ledger)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static", static_url_path="/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        API_TITLE="Koll",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Served from the package, not a CDN: the docs work without the internet.
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
    )
    body.register(app)  # the JSON provider: one time format out, every body read once and strictly in
    app.extensions["koll"] = koll
    if settings.smtp_url:
        koll.ledger.mail.configure(settings.smtp_url, settings.public_url or f"http://{settings.host}:{settings.port}",
                                   settings.mail_from)
    outside.attach(koll.ledger, settings.var_dir)  # digests beyond the database, after every commit
    as_of = AsOfCache(directory=settings.var_dir / "asof")  # the workers share the checkpoints
    app.extensions["koll_as_of_cache"] = as_of
    checkpoints = CheckpointMaker(koll.ledger, as_of)
    koll.ledger.recorder.after_commit.append(checkpoints.appended)
    checkpoints.start()
    api = Api(app, spec_kwargs={"info": {"description": "Koll: ha koll på helheten. "
                                         "Observations, cases, measures and the audit trail of a public square."}})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    errors.register(app)
    ops.register(app)

    @app.get("/api/docs/assets/<path:name>")
    def swagger_assets(name: str):  # type: ignore[no-untyped-def]
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, name)

    from koll.ledger.api import blueprints

    for blp in blueprints():
        api.register_blueprint(blp)
    openapi.register(app, api)
    from koll.ledger.open311.routes import bp as open311

    app.register_blueprint(open311)
    from koll.ledger import web

    web.register(app)
    if settings.trusted_proxies:
        # Behind nginx: the client's address and https come from the headers the proxies set,
        # and only from as many proxies as are ours (a client's own X-Forwarded-For is ignored).
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    from koll.ledger.web import headers

    headers.register(app, settings)
    logging.getLogger("koll").setLevel(logging.INFO)
    return app
