"""The Ledger's commands by bounded context, as mixins of ``koll.ledger.application.Ledger``.

Each module holds one context's commands (measures, walks, meetings, audit …): methods that
load aggregates, call them, and ``self.save`` them, using ``self.decide`` for decisions that
carry a version. application.py lists them as the Ledger's bases.
"""
