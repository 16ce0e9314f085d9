//! `fast_paths`' own query, kept to show what the re-laid-out hierarchy and the bucket matrix
//! gain over it (benchmarks), on the very same arcs and seeds.

use fast_paths::{FastGraph, PathCalculator};

use super::RoadError;
use super::ch;
use super::network::{Located, RoadNetwork};
use super::routing::TravelCost;

/// A `fast_paths` graph of one mode, prepared like the network's, with its own calculator.
pub struct FastPathsBaseline {
    graph: FastGraph,
    calculator: PathCalculator,
}

impl RoadNetwork {
    /// Prepares `fast_paths`' graph of a mode (as [`RoadNetwork::build`] does before re-laying
    /// it out) for comparison with [`RoadNetwork::cost`].
    pub fn fast_paths_baseline(&self, mode: super::TravelMode) -> FastPathsBaseline {
        let m = self.mode(mode);
        let input = ch::input_graph(m.graph.num_nodes(), &m.overlay.arcs);
        let graph = fast_paths::prepare_with_params(&input, &ch::params());
        let calculator = fast_paths::create_calculator(&graph);
        FastPathsBaseline { graph, calculator }
    }
}

impl FastPathsBaseline {
    /// Time in ms between the seeds of two located points through `fast_paths`' query (the
    /// through-route part of [`RoadNetwork::cost`], without door legs or same-edge shortcuts).
    pub fn through_route_ms(
        &mut self,
        from: &Located,
        to: &Located,
    ) -> Result<Option<u32>, RoadError> {
        if from.mode != to.mode {
            return Err(RoadError::ModeMismatch {
                first: from.mode,
                second: to.mode,
            });
        }
        let seeds = |s: &[super::query::Seed]| -> Vec<(usize, usize)> {
            s.iter().map(|s| (s.node as usize, s.ms as usize)).collect()
        };
        let (out, inn) = (seeds(&from.anchor.out), seeds(&to.anchor.inn));
        if out.is_empty() || inn.is_empty() {
            return Ok(None);
        }
        Ok(self
            .calculator
            .calc_path_multiple_sources_and_targets(&self.graph, out, inn)
            .map(|p| p.get_weight() as u32))
    }
}

impl RoadNetwork {
    /// The through-route part of [`RoadNetwork::cost`] (no door legs, no same-edge paths), for
    /// comparing with [`FastPathsBaseline::through_route_ms`].
    pub fn through_route(
        &self,
        from: &Located,
        to: &Located,
    ) -> Result<Option<TravelCost>, RoadError> {
        if from.mode != to.mode {
            return Err(RoadError::ModeMismatch {
                first: from.mode,
                second: to.mode,
            });
        }
        let m = self.mode(from.mode);
        Ok(
            m.with_query(|q| q.run(&m.ch, &from.anchor.out, &to.anchor.inn, false))
                .map(|p| TravelCost {
                    duration_ms: p.cost.ms,
                    distance_cm: p.cost.cm,
                }),
        )
    }
}
