-- doorstep schema, SQLite. Keep in step with migrations/postgres (same folder names) and
-- src/db/schema.rs. UUIDs are text; times are UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ);
-- booleans are 0/1; lists are JSON text.

CREATE TABLE zones (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('high_risk', 'controlled', 'precaution')),
    -- GeoJSON geometry (Polygon or MultiPolygon), WGS84 lon/lat.
    polygon TEXT NOT NULL,
    checkpoint_lon REAL,
    checkpoint_lat REAL,
    notes TEXT NOT NULL DEFAULT '',
    active_from TEXT,
    active_until TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((checkpoint_lon IS NULL) = (checkpoint_lat IS NULL))
);

CREATE TABLE squads (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- JSON array of member names.
    members TEXT NOT NULL DEFAULT '[]',
    contact_phone TEXT NOT NULL,
    base_name TEXT NOT NULL DEFAULT '',
    base_lon REAL NOT NULL,
    base_lat REAL NOT NULL,
    travel_mode TEXT NOT NULL CHECK (travel_mode IN ('foot', 'tricycle', 'van')),
    capacity_items INTEGER NOT NULL CHECK (capacity_items >= 0),
    capacity_kg REAL CHECK (capacity_kg >= 0),
    -- JSON array of skill codes.
    skills TEXT NOT NULL DEFAULT '[]',
    shift_start TEXT NOT NULL,
    shift_end TEXT NOT NULL,
    -- JSON array of the communities / areas the squad covers.
    areas TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    tracking_token TEXT NOT NULL UNIQUE,
    -- A client's key for "the same submission": a refresh or a double click finds the first.
    idempotency_key TEXT UNIQUE,
    source TEXT NOT NULL CHECK (source IN ('form', 'api', 'csv', 'seed')),
    resident_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    address_text TEXT NOT NULL,
    building TEXT,
    unit TEXT,
    room TEXT,
    household_size INTEGER NOT NULL CHECK (household_size BETWEEN 1 AND 50),
    category TEXT NOT NULL
        CHECK (category IN ('medicine', 'food', 'infant_supplies', 'medical_emergency', 'other')),
    -- JSON array of {"name", "quantity", "unit"}.
    items TEXT NOT NULL,
    item_count INTEGER NOT NULL CHECK (item_count >= 1),
    urgency TEXT NOT NULL CHECK (urgency IN ('extremely_urgent', 'urgent', 'normal')),
    requested_urgency TEXT NOT NULL
        CHECK (requested_urgency IN ('extremely_urgent', 'urgent', 'normal')),
    available_from TEXT,
    available_until TEXT,
    notes TEXT NOT NULL DEFAULT '',
    filed_by TEXT NOT NULL
        CHECK (filed_by IN ('resident', 'building_leader', 'neighbour', 'volunteer')),
    filer_name TEXT,
    filer_phone TEXT,
    -- Geocode result.
    lon REAL,
    lat REAL,
    match_level TEXT,
    confidence REAL CHECK (confidence BETWEEN 0 AND 1),
    matched_name TEXT,
    -- JSON array of candidates kept for a coordinator's review.
    geocode_candidates TEXT,
    location_confirmed INTEGER NOT NULL DEFAULT 0,
    community TEXT,
    zone_id TEXT REFERENCES zones (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'needs_review', 'assigned', 'out_for_delivery',
                                           'delivered', 'failed', 'cancelled')),
    failure_reason TEXT
        CHECK (failure_reason IN ('not_home', 'refused', 'wrong_address', 'could_not_reach', 'other')),
    status_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX requests_created_at ON requests (created_at, id);
CREATE INDEX requests_status_created_at ON requests (status, created_at);
CREATE INDEX requests_zone_id ON requests (zone_id);

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    squad_id TEXT NOT NULL REFERENCES squads (id) ON DELETE RESTRICT,
    shift_date TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'done', 'cancelled')),
    distance_m REAL NOT NULL DEFAULT 0,
    duration_s REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plans_squad_date ON plans (squad_id, shift_date);

-- One delivery point on a plan: a building entrance, or a zone's checkpoint.
CREATE TABLE stops (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 0),
    label TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    zone_id TEXT REFERENCES zones (id) ON DELETE SET NULL,
    planned_arrival TEXT,
    service_s REAL NOT NULL DEFAULT 0,
    leg_distance_m REAL,
    leg_duration_s REAL,
    -- A coordinator's pinned assignment: re-optimization keeps it with this squad.
    pinned INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'arrived', 'delivered', 'failed')),
    failure_reason TEXT
        CHECK (failure_reason IN ('not_home', 'refused', 'wrong_address', 'could_not_reach', 'other')),
    proof_note TEXT NOT NULL DEFAULT '',
    completed_at TEXT,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stops_plan_seq ON stops (plan_id, seq);

-- The households served at a stop.
CREATE TABLE stop_requests (
    stop_id TEXT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    PRIMARY KEY (stop_id, request_id)
);
CREATE INDEX stop_requests_request ON stop_requests (request_id);

-- Append-only audit log.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT,
    -- JSON object.
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events (entity_kind, entity_id, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
