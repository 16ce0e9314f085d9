//! Readers for the literature's benchmark instances and best-known solutions, with the
//! literature's conventions: Solomon VRPTW (`.txt`, Euclidean distances in double precision,
//! travel time equal to distance) and CVRPLIB (`.vrp`, TSPLIB `EUC_2D` rounded to the nearest
//! integer). Best known: the `.sol` beside a `.vrp`, or `BKS.json` beside a Solomon file.
//!
//! Errors name the file and the line. Instances become an ordinary [`Problem`] with a
//! [`DenseMatrices`] cost, so the benchmark exercises exactly the code doorstep plans with.

use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::{
    DenseMatrices, Need, OptimizeError, Problem, ServiceTime, Settings, SkillSet, Squad, SquadId,
    Stop, StopId, TimeWindow, Urgency,
};

/// Which family an instance comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceKind {
    /// Solomon VRPTW.
    Solomon,
    /// CVRPLIB CVRP.
    Cvrplib,
}

/// A benchmark instance; index 0 is the depot, customers keep their file numbering.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Instance name.
    pub name: String,
    /// Family.
    pub kind: InstanceKind,
    /// Coordinates per node.
    pub coords: Vec<(f64, f64)>,
    /// Demand per node (0 at the depot).
    pub demand: Vec<f64>,
    /// Ready time per node (Solomon; 0 for CVRP).
    pub ready: Vec<f64>,
    /// Due time per node (Solomon; `None` for CVRP).
    pub due: Option<Vec<f64>>,
    /// Service time per node.
    pub service: Vec<f64>,
    /// Vehicle capacity.
    pub capacity: f64,
    /// Vehicles available.
    pub vehicles: usize,
    /// Customer number of each node as written in the file (the depot is 0).
    pub number: Vec<usize>,
    /// Explicit distances (`EDGE_WEIGHT_TYPE: EXPLICIT`), row-major in node order.
    pub explicit: Option<Vec<f64>>,
    /// Where it was read from.
    pub path: PathBuf,
}

/// The best known solution's vehicles and distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BestKnown {
    /// Number of routes.
    pub vehicles: usize,
    /// Total distance.
    pub distance: f64,
}

fn read_text(path: &Path) -> Result<String, OptimizeError> {
    std::fs::read_to_string(path).map_err(|source| OptimizeError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a Solomon (`.txt`) or CVRPLIB (`.vrp`) instance by extension.
pub fn read(path: &Path) -> Result<Instance, OptimizeError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("vrp") => read_cvrplib(path),
        Some("txt") => read_solomon(path),
        _ => Err(OptimizeError::parse(
            &path.display().to_string(),
            0,
            "expected a Solomon .txt or a CVRPLIB .vrp file",
        )),
    }
}

/// Reads a Solomon VRPTW instance.
pub fn read_solomon(path: &Path) -> Result<Instance, OptimizeError> {
    let text = read_text(path)?;
    let p = path.display().to_string();
    let mut lines = text.lines().enumerate();
    let name = lines
        .by_ref()
        .map(|(_, l)| l.trim())
        .find(|l| !l.is_empty())
        .ok_or_else(|| OptimizeError::parse(&p, 1, "empty file"))?
        .to_string();
    let mut vehicles = None;
    let mut capacity = None;
    let mut inst = Instance {
        name,
        kind: InstanceKind::Solomon,
        coords: Vec::new(),
        demand: Vec::new(),
        ready: Vec::new(),
        due: Some(Vec::new()),
        service: Vec::new(),
        capacity: 0.0,
        vehicles: 0,
        number: Vec::new(),
        explicit: None,
        path: path.to_path_buf(),
    };
    let mut due = Vec::new();
    for (i, line) in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() || fields[0].chars().next().is_some_and(|c| c.is_alphabetic()) {
            continue;
        }
        let nums: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        let nums = nums.map_err(|_| {
            OptimizeError::parse(&p, i + 1, format!("expected numbers, found {line:?}"))
        })?;
        if vehicles.is_none() {
            if nums.len() != 2 {
                return Err(OptimizeError::parse(
                    &p,
                    i + 1,
                    "expected the vehicle number and capacity",
                ));
            }
            vehicles = Some(nums[0] as usize);
            capacity = Some(nums[1]);
            continue;
        }
        if nums.len() != 7 {
            return Err(OptimizeError::parse(
                &p,
                i + 1,
                format!("expected 7 customer fields, found {}", nums.len()),
            ));
        }
        if nums.iter().any(|v| !v.is_finite())
            || nums[3] < 0.0
            || nums[6] < 0.0
            || nums[5] < nums[4]
        {
            return Err(OptimizeError::parse(
                &p,
                i + 1,
                "negative demand or service, or due before ready",
            ));
        }
        inst.number.push(nums[0] as usize);
        inst.coords.push((nums[1], nums[2]));
        inst.demand.push(nums[3]);
        inst.ready.push(nums[4]);
        due.push(nums[5]);
        inst.service.push(nums[6]);
    }
    if inst.coords.len() < 2 {
        return Err(OptimizeError::parse(&p, 0, "no customers found"));
    }
    if inst.number[0] != 0 {
        return Err(OptimizeError::parse(
            &p,
            0,
            "the first customer line must be the depot, number 0",
        ));
    }
    inst.vehicles = vehicles.unwrap_or(inst.coords.len());
    inst.capacity = capacity.unwrap_or(f64::INFINITY);
    inst.due = Some(due);
    Ok(inst)
}

/// Reads a CVRPLIB instance (`EUC_2D`, or `EXPLICIT` in any TSPLIB matrix format; one depot).
pub fn read_cvrplib(path: &Path) -> Result<Instance, OptimizeError> {
    let text = read_text(path)?;
    let p = path.display().to_string();
    let mut name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("instance")
        .to_string();
    let mut dimension = 0usize;
    let mut capacity = None;
    let mut coords: Vec<Option<(f64, f64)>> = Vec::new();
    let mut demand: Vec<Option<f64>> = Vec::new();
    let mut depot = None;
    let mut section = "";
    let mut explicit = false;
    let mut format = String::from("FULL_MATRIX");
    let mut weights: Vec<f64> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let ln = i + 1;
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim();
            let value = value.trim();
            match key {
                "NAME" => name = value.to_string(),
                "DIMENSION" => {
                    dimension = value
                        .parse()
                        .map_err(|_| OptimizeError::parse(&p, ln, "DIMENSION is not a number"))?;
                    coords = vec![None; dimension];
                    demand = vec![None; dimension];
                }
                "CAPACITY" => {
                    capacity =
                        Some(value.parse::<f64>().map_err(|_| {
                            OptimizeError::parse(&p, ln, "CAPACITY is not a number")
                        })?)
                }
                "EDGE_WEIGHT_TYPE" => match value {
                    "EUC_2D" => explicit = false,
                    "EXPLICIT" => explicit = true,
                    _ => {
                        return Err(OptimizeError::parse(
                            &p,
                            ln,
                            format!(
                                "EDGE_WEIGHT_TYPE {value} is not supported (EUC_2D or EXPLICIT)"
                            ),
                        ));
                    }
                },
                "EDGE_WEIGHT_FORMAT" => format = value.to_string(),
                _ => {}
            }
            continue;
        }
        match line {
            "NODE_COORD_SECTION"
            | "DEMAND_SECTION"
            | "DEPOT_SECTION"
            | "EDGE_WEIGHT_SECTION"
            | "DISPLAY_DATA_SECTION" => {
                section = match line {
                    "NODE_COORD_SECTION" => "coord",
                    "DEMAND_SECTION" => "demand",
                    "EDGE_WEIGHT_SECTION" => "weights",
                    "DISPLAY_DATA_SECTION" => "display",
                    _ => "depot",
                };
                continue;
            }
            "EOF" => break,
            _ => {}
        }
        let nums: Result<Vec<f64>, _> = line.split_whitespace().map(|f| f.parse::<f64>()).collect();
        let nums = nums.map_err(|_| {
            OptimizeError::parse(&p, ln, format!("expected numbers, found {line:?}"))
        })?;
        let index = |id: f64| -> Result<usize, OptimizeError> {
            let k = id as usize;
            if id < 1.0 || k > dimension {
                return Err(OptimizeError::parse(
                    &p,
                    ln,
                    format!("node {id} outside 1..={dimension}"),
                ));
            }
            Ok(k - 1)
        };
        match section {
            "coord" if nums.len() == 3 => coords[index(nums[0])?] = Some((nums[1], nums[2])),
            "demand" if nums.len() == 2 => {
                if nums[1] < 0.0 || !nums[1].is_finite() {
                    return Err(OptimizeError::parse(&p, ln, "negative demand"));
                }
                demand[index(nums[0])?] = Some(nums[1]);
            }
            "weights" => weights.extend(nums.iter().copied()),
            "display" => {
                if nums.len() == 3 && coords.get(index(nums[0])?).is_some_and(|c| c.is_none()) {
                    coords[index(nums[0])?] = Some((nums[1], nums[2]));
                }
            }
            "depot" => {
                if nums.first().is_some_and(|&d| d >= 1.0) && depot.is_none() {
                    depot = Some(index(nums[0])?);
                }
            }
            _ => {
                return Err(OptimizeError::parse(
                    &p,
                    ln,
                    format!("unexpected line {line:?}"),
                ));
            }
        }
    }
    if dimension < 2 {
        return Err(OptimizeError::parse(&p, 0, "DIMENSION missing or below 2"));
    }
    let capacity = capacity.ok_or_else(|| OptimizeError::parse(&p, 0, "CAPACITY missing"))?;
    let depot = depot.unwrap_or(0);
    // Depot first, then the others in file order; numbers as the .sol files use them.
    let mut order = vec![depot];
    order.extend((0..dimension).filter(|&k| k != depot));
    let mut inst = Instance {
        name,
        kind: InstanceKind::Cvrplib,
        coords: Vec::with_capacity(dimension),
        demand: Vec::with_capacity(dimension),
        ready: vec![0.0; dimension],
        due: None,
        service: vec![0.0; dimension],
        capacity,
        vehicles: 0,
        number: (0..dimension).collect(),
        explicit: None,
        path: path.to_path_buf(),
    };
    if explicit {
        let full = full_matrix(&format, dimension, &weights)
            .map_err(|e| OptimizeError::parse(&p, 0, e))?;
        let mut m = Vec::with_capacity(dimension * dimension);
        for &a in &order {
            for &b in &order {
                m.push(full[a * dimension + b]);
            }
        }
        inst.explicit = Some(m);
    }
    for &k in &order {
        let c = match coords[k] {
            Some(c) => c,
            // Explicit distances need no coordinates.
            None if explicit => (0.0, 0.0),
            None => {
                return Err(OptimizeError::parse(
                    &p,
                    0,
                    format!("node {} has no coordinates", k + 1),
                ));
            }
        };
        inst.coords.push(c);
        inst.demand.push(if k == depot {
            0.0
        } else {
            demand[k].unwrap_or(0.0)
        });
    }
    // No fixed fleet: as many vehicles as could ever help (the HGS convention, 1.3 × bound + 3).
    let total: f64 = inst.demand.iter().sum();
    inst.vehicles = ((1.3 * total / capacity).ceil() as usize + 3)
        .min(dimension - 1)
        .max(1);
    Ok(inst)
}

/// A full `n × n` matrix from a TSPLIB `EDGE_WEIGHT_SECTION` in the given format.
fn full_matrix(format: &str, n: usize, w: &[f64]) -> Result<Vec<f64>, String> {
    let mut m = vec![0.0; n * n];
    let mut it = w.iter().copied();
    let mut next = || {
        it.next()
            .ok_or_else(|| format!("EDGE_WEIGHT_SECTION too short for {format}"))
    };
    match format {
        "FULL_MATRIX" => {
            for v in m.iter_mut() {
                *v = next()?;
            }
            return Ok(m);
        }
        "LOWER_ROW" | "LOWER_DIAG_ROW" | "UPPER_ROW" | "UPPER_DIAG_ROW" => {}
        other => return Err(format!("EDGE_WEIGHT_FORMAT {other} is not supported")),
    }
    let diag = format.contains("DIAG");
    let lower = format.starts_with("LOWER");
    for i in 0..n {
        let (from, to) = if lower {
            (0, if diag { i + 1 } else { i })
        } else {
            (if diag { i } else { i + 1 }, n)
        };
        for j in from..to {
            let v = next()?;
            m[i * n + j] = v;
            m[j * n + i] = v;
        }
    }
    Ok(m)
}

impl Instance {
    /// Number of customers.
    pub fn customers(&self) -> usize {
        self.coords.len() - 1
    }

    /// Travel between nodes by the family's convention.
    pub fn distance(&self, a: usize, b: usize) -> f64 {
        if let Some(m) = &self.explicit {
            return m[a * self.coords.len() + b];
        }
        let (xa, ya) = self.coords[a];
        let (xb, yb) = self.coords[b];
        let d = ((xa - xb).powi(2) + (ya - yb).powi(2)).sqrt();
        match self.kind {
            InstanceKind::Cvrplib => d.round(),
            InstanceKind::Solomon => d,
        }
    }

    /// The travel matrix (time equals distance).
    pub fn matrix(&self) -> Result<DenseMatrices<f64>, OptimizeError> {
        let n = self.coords.len();
        let mut v = Vec::with_capacity(n * n);
        for a in 0..n {
            for b in 0..n {
                v.push(self.distance(a, b));
            }
        }
        DenseMatrices::single(n, v)
    }

    /// The instance as a doorstep problem: every customer a stop, every vehicle a squad.
    pub fn to_problem(&self) -> Problem {
        let n = self.coords.len();
        let mut settings = Settings::default();
        settings.priorities.food = 1.0;
        settings.weights.unserved_s = 1e9;
        settings.weights.missed_deadline_s = 0.0;
        settings.weights.balance = 0.0;
        settings.weights.travel = 1.0;
        let (shift_start, shift_end) = match &self.due {
            Some(due) => (self.ready[0], due[0]),
            None => (0.0, 1e9),
        };
        let stops = (1..n)
            .map(|k| Stop {
                id: StopId(Uuid::from_u128(k as u128)),
                location: k,
                households: 0,
                service: ServiceTime {
                    base_s: self.service[k],
                    per_household_s: 0.0,
                },
                demand: self.demand[k],
                time_windows: match &self.due {
                    Some(due) => vec![TimeWindow {
                        start_s: self.ready[k],
                        end_s: due[k],
                    }],
                    None => vec![],
                },
                deadline_s: None,
                need: Need::Food,
                urgency: Urgency::Normal,
                required_skills: SkillSet::NONE,
                area: None,
                pinned_squad: None,
            })
            .collect();
        let squads = (0..self.vehicles)
            .map(|v| Squad {
                id: SquadId(Uuid::from_u128(1_000_000 + v as u128)),
                start_location: 0,
                end_location: 0,
                shift: TimeWindow {
                    start_s: shift_start,
                    end_s: shift_end,
                },
                capacity: self.capacity,
                profile: 0,
                skills: SkillSet::NONE,
                areas: vec![],
                locked_stops: vec![],
            })
            .collect();
        Problem {
            stops,
            squads,
            settings,
            initial_routes: None,
        }
    }

    /// The best known solution: from the `.sol` beside a `.vrp`, or from `BKS.json` beside a
    /// Solomon file (hierarchical entry, or the distance-only one when `distance_only`).
    pub fn best_known(&self, distance_only: bool) -> Result<Option<BestKnown>, OptimizeError> {
        match self.kind {
            InstanceKind::Cvrplib => {
                let sol = self.path.with_extension("sol");
                if !sol.exists() {
                    return Ok(None);
                }
                let text = read_text(&sol)?;
                let mut routes = 0;
                let mut cost = None;
                for line in text.lines() {
                    let l = line.trim();
                    if l.starts_with("Route") {
                        routes += 1;
                    } else if let Some(c) = l.strip_prefix("Cost") {
                        cost = c.trim().parse::<f64>().ok();
                    }
                }
                Ok(cost.map(|distance| BestKnown {
                    vehicles: routes,
                    distance,
                }))
            }
            InstanceKind::Solomon => {
                let Some(dir) = self.path.parent() else {
                    return Ok(None);
                };
                let bks = dir.join("BKS.json");
                if !bks.exists() {
                    return Ok(None);
                }
                let text = read_text(&bks)?;
                let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    OptimizeError::parse(&bks.display().to_string(), e.line(), e.to_string())
                })?;
                let key = if distance_only {
                    format!("{}_distance", self.name)
                } else {
                    self.name.clone()
                };
                let entry = &json[key.as_str()];
                let vehicles = entry["solved_with_vehicles"].as_u64();
                let distance = entry["best_known_cost"].as_f64();
                Ok(match (vehicles, distance) {
                    (Some(v), Some(d)) => Some(BestKnown {
                        vehicles: v as usize,
                        distance: d,
                    }),
                    _ => None,
                })
            }
        }
    }
}
