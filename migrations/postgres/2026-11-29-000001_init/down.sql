DROP TRIGGER events_append_only ON events;
DROP FUNCTION events_append_only();
DROP TABLE events;
DROP TABLE stop_requests;
DROP TABLE stops;
DROP TABLE plans;
DROP TABLE requests;
DROP TABLE squads;
DROP TABLE zones;
