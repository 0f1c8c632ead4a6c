"""koll.field: the Kivy field app.

The service layer (``outbox``, ``sync``, ``settings``, ``report``, ``location``, ``camera``)
imports neither Kivy nor the ledger, so tests and benchmarks drive it directly; the widgets
(``app`` with ``field.kv``) only call it.
"""

__version__ = "0.1.0"
