"""SQLite: migrations and the stored records (events, people, cards, visits, staff).
Imports no aiohttp or Socket.IO; every write commits in one transaction of its own."""
