//! road (to be written).
