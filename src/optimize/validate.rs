//! Validation of a [`Problem`]: malformed input (negative or non-finite times and amounts,
//! indices out of range, inconsistent locks and pins, a previous plan naming unknown stops)
//! is rejected with an error naming the field. Infeasible input is left to the solver, which
//! explains it in the plan.

use super::problem::{AreaRule, Problem};
use super::{OptimizeError, TravelCost};

fn check_time(field: &str, v: f64) -> Result<(), OptimizeError> {
    if !v.is_finite() {
        return Err(OptimizeError::field(
            field,
            format!("is {v}; must be a finite number of seconds"),
        ));
    }
    if v < 0.0 {
        return Err(OptimizeError::field(
            field,
            format!("is {v}; times and durations cannot be negative"),
        ));
    }
    Ok(())
}

fn check_amount(field: &str, v: f64) -> Result<(), OptimizeError> {
    if !v.is_finite() || v < 0.0 {
        return Err(OptimizeError::field(
            field,
            format!("is {v}; must be a finite number ≥ 0"),
        ));
    }
    Ok(())
}

impl Problem {
    /// Rejects malformed input (negative or non-finite times and amounts, indices out of range,
    /// inconsistent locks) with an error naming the field.
    pub fn validate<C: TravelCost + ?Sized>(&self, cost: &C) -> Result<(), OptimizeError> {
        let n_loc = cost.location_count();
        let n_prof = cost.profile_count();
        let w = &self.settings.weights;
        for (name, v) in [
            ("settings.weights.unserved_s", w.unserved_s),
            ("settings.weights.missed_deadline_s", w.missed_deadline_s),
            ("settings.weights.balance", w.balance),
            ("settings.weights.travel", w.travel),
            ("settings.weights.vehicle_s", w.vehicle_s),
        ] {
            check_amount(name, v)?;
        }
        if let AreaRule::Soft { penalty_s } = self.settings.area_rule {
            check_amount("settings.area_rule.penalty_s", penalty_s)?;
        }
        let p = &self.settings.priorities;
        for (name, v) in [
            ("medical_emergency", p.medical_emergency),
            ("medicine", p.medicine),
            ("infant_supplies", p.infant_supplies),
            ("food", p.food),
            ("other", p.other),
            ("extremely_urgent", p.extremely_urgent),
            ("urgent", p.urgent),
            ("normal", p.normal),
        ] {
            check_amount(&format!("settings.priorities.{name}"), v)?;
        }
        for (i, s) in self.stops.iter().enumerate() {
            let f = |name: &str| format!("stops[{i}].{name}");
            if s.location >= n_loc {
                return Err(OptimizeError::field(
                    f("location"),
                    format!(
                        "is {}, but the matrices cover {n_loc} locations",
                        s.location
                    ),
                ));
            }
            check_time(&f("service.base_s"), s.service.base_s)?;
            check_time(&f("service.per_household_s"), s.service.per_household_s)?;
            check_amount(&f("demand"), s.demand)?;
            for (k, tw) in s.time_windows.iter().enumerate() {
                check_time(&f(&format!("time_windows[{k}].start_s")), tw.start_s)?;
                check_time(&f(&format!("time_windows[{k}].end_s")), tw.end_s)?;
                if tw.end_s < tw.start_s {
                    return Err(OptimizeError::field(
                        f(&format!("time_windows[{k}].end_s")),
                        format!("is {} but the window starts at {}", tw.end_s, tw.start_s),
                    ));
                }
            }
            if let Some(d) = s.deadline_s {
                check_time(&f("deadline_s"), d)?;
            }
            if let Some(q) = s.pinned_squad
                && q >= self.squads.len()
            {
                return Err(OptimizeError::field(
                    f("pinned_squad"),
                    format!("is {q}, but there are {} squads", self.squads.len()),
                ));
            }
        }
        let mut locked_by: Vec<Option<usize>> = vec![None; self.stops.len()];
        for (q, sq) in self.squads.iter().enumerate() {
            let f = |name: &str| format!("squads[{q}].{name}");
            for (name, loc) in [
                ("start_location", sq.start_location),
                ("end_location", sq.end_location),
            ] {
                if loc >= n_loc {
                    return Err(OptimizeError::field(
                        f(name),
                        format!("is {loc}, but the matrices cover {n_loc} locations"),
                    ));
                }
            }
            check_time(&f("shift.start_s"), sq.shift.start_s)?;
            check_time(&f("shift.end_s"), sq.shift.end_s)?;
            if sq.shift.end_s < sq.shift.start_s {
                return Err(OptimizeError::field(
                    f("shift.end_s"),
                    format!(
                        "is {} but the shift starts at {}",
                        sq.shift.end_s, sq.shift.start_s
                    ),
                ));
            }
            check_amount(&f("capacity"), sq.capacity)?;
            if sq.profile >= n_prof {
                return Err(OptimizeError::field(
                    f("profile"),
                    format!("is {}, but there are {n_prof} travel profiles", sq.profile),
                ));
            }
            for (k, &s) in sq.locked_stops.iter().enumerate() {
                let name = f(&format!("locked_stops[{k}]"));
                if s >= self.stops.len() {
                    return Err(OptimizeError::field(
                        name,
                        format!("is {s}, but there are {} stops", self.stops.len()),
                    ));
                }
                if let Some(other) = locked_by[s] {
                    return Err(OptimizeError::field(
                        name,
                        format!("stop {s} is already locked to squad {other}"),
                    ));
                }
                if let Some(p) = self.stops[s].pinned_squad
                    && p != q
                {
                    return Err(OptimizeError::field(
                        name,
                        format!("stop {s} is locked to squad {q} but pinned to squad {p}"),
                    ));
                }
                locked_by[s] = Some(q);
            }
        }
        if let Some(routes) = &self.initial_routes {
            if routes.len() > self.squads.len() {
                return Err(OptimizeError::field(
                    "initial_routes",
                    format!(
                        "has {} routes for {} squads",
                        routes.len(),
                        self.squads.len()
                    ),
                ));
            }
            let mut seen = vec![false; self.stops.len()];
            for (q, r) in routes.iter().enumerate() {
                for (k, &s) in r.iter().enumerate() {
                    let name = format!("initial_routes[{q}][{k}]");
                    if s >= self.stops.len() {
                        return Err(OptimizeError::field(
                            name,
                            format!("is {s}, but there are {} stops", self.stops.len()),
                        ));
                    }
                    if seen[s] {
                        return Err(OptimizeError::field(
                            name,
                            format!("stop {s} appears twice"),
                        ));
                    }
                    seen[s] = true;
                }
            }
        }
        Ok(())
    }
}
