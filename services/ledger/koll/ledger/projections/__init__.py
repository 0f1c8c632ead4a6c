"""Read models: each a function of the event stream into SQL tables, rebuildable from the ledger."""
