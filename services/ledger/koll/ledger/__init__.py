"""Koll's ledger: the append-only record of everything that happens on the square."""
