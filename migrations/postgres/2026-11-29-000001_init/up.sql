-- doorstep schema, PostgreSQL. Keep in step with migrations/sqlite (same folder names) and
-- src/db/schema.rs. UUIDs are native; times are timestamptz (UTC); lists are JSON text.

CREATE TABLE zones (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('high_risk', 'controlled', 'precaution')),
    -- GeoJSON geometry (Polygon or MultiPolygon), WGS84 lon/lat.
    polygon text NOT NULL,
    checkpoint_lon double precision,
    checkpoint_lat double precision,
    notes text NOT NULL DEFAULT '',
    active_from timestamptz,
    active_until timestamptz,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CHECK ((checkpoint_lon IS NULL) = (checkpoint_lat IS NULL))
);

CREATE TABLE squads (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    -- JSON array of member names.
    members text NOT NULL DEFAULT '[]',
    contact_phone text NOT NULL,
    base_name text NOT NULL DEFAULT '',
    base_lon double precision NOT NULL,
    base_lat double precision NOT NULL,
    travel_mode text NOT NULL CHECK (travel_mode IN ('foot', 'tricycle', 'van')),
    capacity_items integer NOT NULL CHECK (capacity_items >= 0),
    capacity_kg double precision CHECK (capacity_kg >= 0),
    -- JSON array of skill codes.
    skills text NOT NULL DEFAULT '[]',
    shift_start time NOT NULL,
    shift_end time NOT NULL,
    -- JSON array of the communities / areas the squad covers.
    areas text NOT NULL DEFAULT '[]',
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE requests (
    id uuid PRIMARY KEY,
    tracking_token text NOT NULL UNIQUE,
    -- A client's key for "the same submission": a refresh or a double click finds the first.
    idempotency_key text UNIQUE,
    source text NOT NULL CHECK (source IN ('form', 'api', 'csv', 'seed')),
    resident_name text NOT NULL,
    phone text NOT NULL,
    address_text text NOT NULL,
    building text,
    unit text,
    room text,
    household_size integer NOT NULL CHECK (household_size BETWEEN 1 AND 50),
    category text NOT NULL
        CHECK (category IN ('medicine', 'food', 'infant_supplies', 'medical_emergency', 'other')),
    -- JSON array of {"name", "quantity", "unit"}.
    items text NOT NULL,
    item_count integer NOT NULL CHECK (item_count >= 1),
    urgency text NOT NULL CHECK (urgency IN ('extremely_urgent', 'urgent', 'normal')),
    requested_urgency text NOT NULL
        CHECK (requested_urgency IN ('extremely_urgent', 'urgent', 'normal')),
    available_from time,
    available_until time,
    notes text NOT NULL DEFAULT '',
    filed_by text NOT NULL
        CHECK (filed_by IN ('resident', 'building_leader', 'neighbour', 'volunteer')),
    filer_name text,
    filer_phone text,
    -- Geocode result.
    lon double precision,
    lat double precision,
    match_level text,
    confidence double precision CHECK (confidence BETWEEN 0 AND 1),
    matched_name text,
    -- JSON array of candidates kept for a coordinator's review.
    geocode_candidates text,
    location_confirmed boolean NOT NULL DEFAULT false,
    community text,
    zone_id uuid REFERENCES zones (id) ON DELETE SET NULL,
    status text NOT NULL CHECK (status IN ('new', 'needs_review', 'assigned', 'out_for_delivery',
                                           'delivered', 'failed', 'cancelled')),
    failure_reason text
        CHECK (failure_reason IN ('not_home', 'refused', 'wrong_address', 'could_not_reach', 'other')),
    status_note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX requests_created_at ON requests (created_at, id);
CREATE INDEX requests_status_created_at ON requests (status, created_at);
CREATE INDEX requests_zone_id ON requests (zone_id);

CREATE TABLE plans (
    id uuid PRIMARY KEY,
    squad_id uuid NOT NULL REFERENCES squads (id) ON DELETE RESTRICT,
    shift_date date NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('draft', 'active', 'done', 'cancelled')),
    distance_m double precision NOT NULL DEFAULT 0,
    duration_s double precision NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX plans_squad_date ON plans (squad_id, shift_date);

-- One delivery point on a plan: a building entrance, or a zone's checkpoint.
CREATE TABLE stops (
    id uuid PRIMARY KEY,
    plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 0),
    label text NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    zone_id uuid REFERENCES zones (id) ON DELETE SET NULL,
    planned_arrival timestamptz,
    service_s double precision NOT NULL DEFAULT 0,
    leg_distance_m double precision,
    leg_duration_s double precision,
    -- A coordinator's pinned assignment: re-optimization keeps it with this squad.
    pinned boolean NOT NULL DEFAULT false,
    status text NOT NULL CHECK (status IN ('pending', 'arrived', 'delivered', 'failed')),
    failure_reason text
        CHECK (failure_reason IN ('not_home', 'refused', 'wrong_address', 'could_not_reach', 'other')),
    proof_note text NOT NULL DEFAULT '',
    completed_at timestamptz,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1
);
CREATE INDEX stops_plan_seq ON stops (plan_id, seq);

-- The households served at a stop.
CREATE TABLE stop_requests (
    stop_id uuid NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
    request_id uuid NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    PRIMARY KEY (stop_id, request_id)
);
CREATE INDEX stop_requests_request ON stop_requests (request_id);

-- Append-only audit log.
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    entity_kind text NOT NULL,
    entity_id uuid,
    -- JSON object.
    details text NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events (entity_kind, entity_id, id);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
