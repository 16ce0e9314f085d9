//! The road network as a server holds it: one current network that every request reads, and
//! zone changes that build the next one beside it and swap it in, so that no request ever
//! waits for a preparation.

use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};

use crate::zone::ZoneIndex;

use super::RoadError;
use super::network::{RoadNetwork, ZoneUpdate};

/// The current road network, swapped atomically on zone changes.
pub struct SharedRoadNetwork {
    current: RwLock<Arc<RoadNetwork>>,
    /// Serialises updates: two zone edits at once must not both start from the same network.
    updating: Mutex<()>,
}

impl SharedRoadNetwork {
    pub fn new(network: RoadNetwork) -> Self {
        SharedRoadNetwork {
            current: RwLock::new(Arc::new(network)),
            updating: Mutex::new(()),
        }
    }

    /// The network to answer a request with (kept alive for as long as the request holds it).
    pub fn current(&self) -> Arc<RoadNetwork> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            // A writer panicked while swapping an `Arc`: the value is still a whole network.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Applies new zones (or the same zones at a new time, when a zone's period starts or
    /// ends): prepares the changed modes beside the current network, then swaps.
    pub fn set_zones(&self, zones: ZoneIndex, now: DateTime<Utc>) -> Result<ZoneUpdate, RoadError> {
        let _one_at_a_time = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let (next, update) = self.current().rezone(zones, now)?;
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        Ok(update)
    }
}
