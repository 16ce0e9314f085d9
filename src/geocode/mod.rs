//! geocode (to be written).
