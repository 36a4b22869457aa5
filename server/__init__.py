"""Kohtaamo's adapters: HTTP API, Socket.IO handlers, SQLite storage, the tick loop, the CLI.

The domain lives in `rooms/`; this package delivers what it decides.
"""
