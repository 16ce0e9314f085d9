//! The one portable schema for both databases (hand-kept: `diesel print-schema` would give
//! each backend its own). Column types that differ between the backends are the custom types
//! of [`super::types`]. A test runs every query of the data layer on both databases, so a
//! mismatch with the migrations shows up there.

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    zones (id) {
        id -> DbUuid,
        name -> Text,
        kind -> Text,
        polygon -> Text,
        checkpoint_lon -> Nullable<Double>,
        checkpoint_lat -> Nullable<Double>,
        notes -> Text,
        active_from -> Nullable<DbTimestamp>,
        active_until -> Nullable<DbTimestamp>,
        active -> Bool,
        created_at -> DbTimestamp,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    squads (id) {
        id -> DbUuid,
        name -> Text,
        members -> Text,
        contact_phone -> Text,
        base_name -> Text,
        base_lon -> Double,
        base_lat -> Double,
        travel_mode -> Text,
        capacity_items -> Integer,
        capacity_kg -> Nullable<Double>,
        skills -> Text,
        shift_start -> Time,
        shift_end -> Time,
        areas -> Text,
        active -> Bool,
        created_at -> DbTimestamp,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    requests (id) {
        id -> DbUuid,
        tracking_token -> Text,
        idempotency_key -> Nullable<Text>,
        source -> Text,
        resident_name -> Text,
        phone -> Text,
        address_text -> Text,
        building -> Nullable<Text>,
        unit -> Nullable<Text>,
        room -> Nullable<Text>,
        household_size -> Integer,
        category -> Text,
        items -> Text,
        item_count -> Integer,
        urgency -> Text,
        requested_urgency -> Text,
        available_from -> Nullable<Time>,
        available_until -> Nullable<Time>,
        notes -> Text,
        filed_by -> Text,
        filer_name -> Nullable<Text>,
        filer_phone -> Nullable<Text>,
        lon -> Nullable<Double>,
        lat -> Nullable<Double>,
        match_level -> Nullable<Text>,
        confidence -> Nullable<Double>,
        matched_name -> Nullable<Text>,
        geocode_candidates -> Nullable<Text>,
        location_confirmed -> Bool,
        community -> Nullable<Text>,
        zone_id -> Nullable<DbUuid>,
        status -> Text,
        failure_reason -> Nullable<Text>,
        status_note -> Text,
        created_at -> DbTimestamp,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    plans (id) {
        id -> DbUuid,
        squad_id -> DbUuid,
        shift_date -> Date,
        starts_at -> DbTimestamp,
        ends_at -> DbTimestamp,
        status -> Text,
        distance_m -> Double,
        duration_s -> Double,
        created_at -> DbTimestamp,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    stops (id) {
        id -> DbUuid,
        plan_id -> DbUuid,
        seq -> Integer,
        label -> Text,
        lon -> Double,
        lat -> Double,
        zone_id -> Nullable<DbUuid>,
        planned_arrival -> Nullable<DbTimestamp>,
        service_s -> Double,
        leg_distance_m -> Nullable<Double>,
        leg_duration_s -> Nullable<Double>,
        pinned -> Bool,
        status -> Text,
        failure_reason -> Nullable<Text>,
        proof_note -> Text,
        completed_at -> Nullable<DbTimestamp>,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::DbUuid;

    stop_requests (stop_id, request_id) {
        stop_id -> DbUuid,
        request_id -> DbUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    events (id) {
        id -> BigInt,
        at -> DbTimestamp,
        actor -> Text,
        action -> Text,
        entity_kind -> Text,
        entity_id -> Nullable<DbUuid>,
        details -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    users (id) {
        id -> DbUuid,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        squad_id -> Nullable<DbUuid>,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<DbTimestamp>,
        created_at -> DbTimestamp,
        updated_at -> DbTimestamp,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    login_links (id) {
        id -> DbUuid,
        token_hash -> Text,
        squad_id -> DbUuid,
        created_by -> Text,
        created_at -> DbTimestamp,
        expires_at -> DbTimestamp,
        revoked_at -> Nullable<DbTimestamp>,
        last_used_at -> Nullable<DbTimestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Nullable<DbUuid>,
        login_link_id -> Nullable<DbUuid>,
        csrf_token -> Text,
        created_at -> DbTimestamp,
        expires_at -> DbTimestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    api_tokens (id) {
        id -> DbUuid,
        token_hash -> Text,
        user_id -> DbUuid,
        name -> Text,
        created_at -> DbTimestamp,
        expires_at -> Nullable<DbTimestamp>,
        revoked_at -> Nullable<DbTimestamp>,
        last_used_at -> Nullable<DbTimestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{DbUuid, DbTimestamp};

    unserved_requests (request_id, shift_date) {
        request_id -> DbUuid,
        shift_date -> Date,
        reason -> Text,
        stop_label -> Text,
        recorded_at -> DbTimestamp,
    }
}

diesel::joinable!(requests -> zones (zone_id));
diesel::joinable!(unserved_requests -> requests (request_id));
diesel::joinable!(plans -> squads (squad_id));
diesel::joinable!(stops -> plans (plan_id));
diesel::joinable!(stop_requests -> stops (stop_id));
diesel::joinable!(stop_requests -> requests (request_id));
diesel::joinable!(users -> squads (squad_id));
diesel::joinable!(login_links -> squads (squad_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    zones,
    squads,
    requests,
    plans,
    stops,
    stop_requests,
    events,
    users,
    login_links,
    sessions,
    api_tokens,
    unserved_requests
);
