//! optimize (to be written).
