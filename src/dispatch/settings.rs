//! The dispatch layer's settings: service times, deadlines per urgency, the area rule and the
//! optimizer's budgets. Defaults follow how deliveries ran in 2022 (a few minutes at a building
//! entrance, longer at a checkpoint; extremely urgent within 2 h of filing, urgent the same day,
//! normal the next day).

use chrono::FixedOffset;

use crate::optimize::{AreaRule, DeadlinePolicy, SolveOptions};

/// How requests become stops and how long the optimizer may search.
#[derive(Clone, Debug)]
pub struct DispatchSettings {
    /// Seconds spent at a building entrance once per visit (parking, walking in, calling up).
    pub service_base_s: f64,
    /// Seconds per household served at a stop.
    pub service_per_household_s: f64,
    /// Seconds spent at a high-risk zone's checkpoint once per visit (the hand-over at the
    /// cordon, changing into protective gear).
    pub checkpoint_base_s: f64,
    /// Deadlines after filing, per urgency.
    pub deadlines: DeadlinePolicy,
    /// Whether squads serve stops outside the communities they cover.
    pub area_rule: AreaRule,
    /// Wall-clock budget of a district plan, seconds.
    pub time_limit_s: f64,
    /// Budget of a re-sequence after a move, seconds (the bar is 0.2 s in all).
    pub resequence_limit_s: f64,
    /// Budget of re-optimizing one squad, seconds.
    pub reoptimize_limit_s: f64,
    /// Optimizer threads and seed.
    pub threads: usize,
    pub seed: u64,
    /// An iteration budget instead of the time limit (tests: reproducible plans).
    pub max_iterations: Option<u64>,
    /// The offset of the squads' shift times and the planning day (default UTC+8).
    pub utc_offset: FixedOffset,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            service_base_s: 120.0,
            service_per_household_s: 60.0,
            checkpoint_base_s: 300.0,
            deadlines: DeadlinePolicy {
                extremely_urgent_s: 2.0 * 3600.0,
                urgent_s: 12.0 * 3600.0,
                normal_s: 36.0 * 3600.0,
            },
            area_rule: AreaRule::Soft { penalty_s: 900.0 },
            time_limit_s: 10.0,
            resequence_limit_s: 0.12,
            reoptimize_limit_s: 1.0,
            threads: 2,
            seed: 1,
            max_iterations: None,
            utc_offset: FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).expect(
                // Zero is a valid offset; +08:00 too, so neither branch can fail.
                "zero offset",
            )),
        }
    }
}

impl DispatchSettings {
    /// Refuses settings that cannot make sense (negative or non-finite times), naming them.
    pub fn validate(&self) -> Result<(), String> {
        let d = &self.deadlines;
        for (name, v) in [
            ("service base", self.service_base_s),
            ("service per household", self.service_per_household_s),
            ("checkpoint base", self.checkpoint_base_s),
            ("extremely urgent deadline", d.extremely_urgent_s),
            ("urgent deadline", d.urgent_s),
            ("normal deadline", d.normal_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("{name}: {v} is not a duration ≥ 0"));
            }
        }
        if let AreaRule::Soft { penalty_s } = self.area_rule
            && !(penalty_s.is_finite() && penalty_s >= 0.0)
        {
            return Err(format!("area penalty: {penalty_s} is not a duration ≥ 0"));
        }
        Ok(())
    }

    /// The options of a district plan.
    pub(crate) fn solve_options(&self) -> SolveOptions {
        SolveOptions {
            time_limit_s: self.time_limit_s,
            max_iterations: self.max_iterations,
            seed: self.seed,
            threads: self.threads.max(1),
            minimize_vehicles: false,
        }
    }

    /// The options of a re-sequence (`limit_s` of search, one thread: two short routes).
    pub(crate) fn resequence_options(&self, limit_s: f64) -> SolveOptions {
        SolveOptions {
            time_limit_s: limit_s,
            max_iterations: self.max_iterations.map(|n| n.min(2_000)),
            seed: self.seed,
            threads: 1,
            minimize_vehicles: false,
        }
    }
}
