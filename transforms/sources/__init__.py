"""Unbounded sources of `newsmon watch`: a watched directory and polled feeds.

Both tag what they emit with an `arrival` (see `ledger`), so that the sinks can record
which arrivals are fully written and a restart neither loses nor repeats them.
"""
