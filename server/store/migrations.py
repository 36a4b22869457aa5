"""The schema, grown by numbered migrations recorded in `PRAGMA user_version`.

Never edit a migration that has shipped: add the next one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: events, rooms, people with hashed tokens, cards, visits, moderation
    """
    CREATE TABLE events (
        slug TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
    );
    CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL REFERENCES events(slug),
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        theme TEXT NOT NULL DEFAULT '',
        open INTEGER NOT NULL DEFAULT 1,
        capacity INTEGER,
        position INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX rooms_event ON rooms(event, position);
    CREATE TABLE people (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL REFERENCES events(slug),
        role TEXT NOT NULL,
        token_hash TEXT UNIQUE,
        profile TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        banned INTEGER NOT NULL DEFAULT 0,
        muted INTEGER NOT NULL DEFAULT 0,
        muted_until INTEGER,
        erased_at INTEGER
    );
    CREATE INDEX people_event ON people(event);
    CREATE TABLE card_requests (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        from_person TEXT NOT NULL,
        to_person TEXT NOT NULL,
        room TEXT,
        at INTEGER NOT NULL
    );
    CREATE INDEX card_requests_to ON card_requests(to_person);
    CREATE TABLE exchanges (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        room TEXT,
        room_title TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL,
        UNIQUE (a, b)
    );
    CREATE TABLE contacts (
        owner TEXT NOT NULL,
        other TEXT NOT NULL,
        card TEXT NOT NULL,
        met_in TEXT,
        met_in_title TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL,
        PRIMARY KEY (owner, other)
    );
    CREATE TABLE visits (
        event TEXT NOT NULL,
        person TEXT NOT NULL,
        room TEXT NOT NULL,
        entered_at INTEGER NOT NULL,
        left_at INTEGER
    );
    CREATE INDEX visits_event ON visits(event, room);
    CREATE TABLE moderation_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE flags (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        from_person TEXT NOT NULL,
        person TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE stats (
        event TEXT PRIMARY KEY,
        peak_concurrent INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: the event timer a host set, so it survives a restart (server/store/staff.py)
    """
    CREATE TABLE timers (
        event TEXT PRIMARY KEY REFERENCES events(slug),
        label TEXT NOT NULL,
        ends_at INTEGER NOT NULL
    );
    CREATE INDEX moderation_log_event ON moderation_log(event, seq);
    CREATE INDEX flags_event ON flags(event, at);
    """,
    # 3: where people sit, so a restart returns them to their table (server/store/seats.py)
    """
    CREATE TABLE seats (
        person TEXT PRIMARY KEY,
        event TEXT NOT NULL REFERENCES events(slug),
        room TEXT NOT NULL,
        x INTEGER NOT NULL,
        y INTEGER NOT NULL
    );
    CREATE INDEX seats_event ON seats(event);
    """,
    # 4: the organizer report of an event whose people were erased by retention, kept as
    # aggregate figures (server/store/retention.py)
    """
    CREATE TABLE archived_reports (
        event TEXT PRIMARY KEY REFERENCES events(slug),
        report TEXT NOT NULL,
        erased_at INTEGER NOT NULL
    );
    """,
    # 5: profile photos, re-encoded WebP (server/store/photos.py); erased with their person
    """
    CREATE TABLE photos (
        person TEXT PRIMARY KEY REFERENCES people(id),
        event TEXT NOT NULL REFERENCES events(slug),
        version INTEGER NOT NULL,
        webp BLOB NOT NULL
    );
    CREATE INDEX photos_event ON photos(event);
    """,
    # 6 (issue 12): table titles and themes per language (JSON maps beside the plain
    # ones), the lobby named in each language, and flags a moderator marked resolved
    """
    ALTER TABLE rooms ADD COLUMN titles TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE rooms ADD COLUMN themes TEXT NOT NULL DEFAULT '{}';
    UPDATE rooms SET
        titles = '{"fi": "Aula", "sv": "Foajén", "en": "Lobby"}',
        themes = '{"fi": "Kaikki aloittavat täältä",'
            || ' "sv": "Alla börjar här",'
            || ' "en": "Everyone starts here"}'
        WHERE kind = 'lobby' AND title = 'Aula' AND theme = 'Lobby';
    ALTER TABLE flags ADD COLUMN resolved_at INTEGER;
    ALTER TABLE flags ADD COLUMN resolved_by TEXT;
    """,
    # 7: who met whom (networking rounds, or sitting together), for "people I met", the
    # grouping of later rounds and the report (server/store/met.py); one row a pair
    """
    CREATE TABLE met (
        event TEXT NOT NULL REFERENCES events(slug),
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        room TEXT NOT NULL,
        room_title TEXT NOT NULL DEFAULT '',
        at INTEGER NOT NULL,
        via TEXT NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE INDEX met_event ON met(event);
    CREATE INDEX met_b ON met(b);
    """,
)
