-- Requests the day's plan could not serve, with the optimizer's reason (dispatch). SQLite.
-- Rewritten whole by each district plan of that day; a request served later simply has no row
-- for the date of the plan that served it.
CREATE TABLE unserved_requests (
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    shift_date TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('no_squad_available', 'no_squad_with_skill',
        'outside_every_area', 'exceeds_capacity', 'unreachable', 'deadline_cannot_be_met',
        'outside_hours', 'no_capacity_left', 'no_road_nearby')),
    -- The delivery point as the plan saw it (building entrance or checkpoint).
    stop_label TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (request_id, shift_date)
);
CREATE INDEX unserved_requests_date ON unserved_requests (shift_date);
