"""gunicorn's configuration for one Koll instance: gunicorn -c koll.conf.py 'koll.ledger.serving:wsgi_app()'.

Everything comes from the KOLL_* environment (the systemd unit's EnvironmentFile), through the
same options `koll serve` uses, so this file only adds what a supervised production process needs.
"""

from koll.ledger.config import Settings, SettingsRefused
from koll.ledger.serving import check_start, exit_refused, gunicorn_options

try:
    _settings = Settings.from_env()
except SettingsRefused as e:
    exit_refused(e)

globals().update(gunicorn_options(_settings))
proc_name = f"koll-{_settings.port}"
forwarded_allow_ips = "127.0.0.1"  # gunicorn's own header handling; the app's ProxyFix decides


def on_starting(server):  # noqa: ARG001 - gunicorn's hook signature
    """Once, in the master, before any worker: a refused start says why and exits."""
    try:
        check_start(_settings)
    except SettingsRefused as e:
        exit_refused(e)
