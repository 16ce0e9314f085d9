//! How the solver sees travel: a trait over per-profile duration and distance between location
//! indices, and a dense matrix implementation of it.
//!
//! The road network module computes the real matrices (one per travel mode: foot, tricycle,
//! van); the benchmark readers build them from coordinates. The solver never asks where a
//! location is, only how long and how far it is from another one for a given profile.

/// Travel between locations `0..location_count()` for each profile `0..profile_count()`.
///
/// Values are seconds and metres. A pair that cannot be travelled returns `f64::INFINITY`;
/// NaN and negative values are malformed input and are rejected before solving.
pub trait TravelCost: Sync {
    /// Number of locations the matrices cover.
    fn location_count(&self) -> usize;
    /// Number of travel profiles (one matrix pair each).
    fn profile_count(&self) -> usize;
    /// Travel time in seconds from `from` to `to` with `profile`.
    fn duration_s(&self, profile: usize, from: usize, to: usize) -> f64;
    /// Travel distance in metres from `from` to `to` with `profile`.
    fn distance_m(&self, profile: usize, from: usize, to: usize) -> f64;
}

/// A matrix entry type: `f64` for exact benchmark distances, `f32`/`u32` to halve the memory of
/// district-sized matrices.
pub trait MatrixValue: Copy + Send + Sync + 'static {
    /// The value as seconds or metres.
    fn to_f64(self) -> f64;
}

impl MatrixValue for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

impl MatrixValue for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl MatrixValue for u32 {
    /// `u32::MAX` marks an unreachable pair.
    #[inline]
    fn to_f64(self) -> f64 {
        if self == u32::MAX {
            f64::INFINITY
        } else {
            self as f64
        }
    }
}

/// One profile's square matrices in row-major order (`from * n + to`).
#[derive(Clone, Debug)]
pub struct ProfileMatrices<T> {
    /// Travel time, seconds.
    pub duration_s: Vec<T>,
    /// Travel distance, metres. `None` means "the same as the durations" (benchmarks where
    /// travel time equals distance).
    pub distance_m: Option<Vec<T>>,
}

/// Dense matrices for every profile over the same `n` locations.
#[derive(Clone, Debug)]
pub struct DenseMatrices<T> {
    n: usize,
    profiles: Vec<ProfileMatrices<T>>,
}

impl<T: MatrixValue> DenseMatrices<T> {
    /// Matrices over `n` locations; errors name the profile and matrix whose size is not `n * n`.
    pub fn try_new(
        n: usize,
        profiles: Vec<ProfileMatrices<T>>,
    ) -> Result<Self, super::OptimizeError> {
        for (p, m) in profiles.iter().enumerate() {
            check_values(p, "duration_s", n, &m.duration_s)?;
            if let Some(d) = &m.distance_m {
                check_values(p, "distance_m", n, d)?;
            }
            if m.duration_s.len() != n * n {
                return Err(super::OptimizeError::field(
                    format!("matrices[{p}].duration_s"),
                    format!("has {} entries, expected {n} x {n}", m.duration_s.len()),
                ));
            }
            if let Some(d) = &m.distance_m
                && d.len() != n * n
            {
                return Err(super::OptimizeError::field(
                    format!("matrices[{p}].distance_m"),
                    format!("has {} entries, expected {n} x {n}", d.len()),
                ));
            }
        }
        Ok(DenseMatrices { n, profiles })
    }

    /// One profile whose travel time equals its distance (the benchmark convention).
    pub fn single(n: usize, values: Vec<T>) -> Result<Self, super::OptimizeError> {
        Self::try_new(
            n,
            vec![ProfileMatrices {
                duration_s: values,
                distance_m: None,
            }],
        )
    }
}

/// NaN and negative entries are malformed; the error names the entry.
fn check_values<T: MatrixValue>(
    profile: usize,
    name: &str,
    n: usize,
    values: &[T],
) -> Result<(), super::OptimizeError> {
    for (k, v) in values.iter().enumerate() {
        let v = v.to_f64();
        if v.is_nan() || v < 0.0 {
            let (i, j) = (k / n.max(1), k % n.max(1));
            return Err(super::OptimizeError::field(
                format!("matrices[{profile}].{name}[{i}][{j}]"),
                format!("is {v}; travel must be a non-negative number (infinity for unreachable)"),
            ));
        }
    }
    Ok(())
}

impl<T: MatrixValue> TravelCost for DenseMatrices<T> {
    #[inline]
    fn location_count(&self) -> usize {
        self.n
    }
    #[inline]
    fn profile_count(&self) -> usize {
        self.profiles.len()
    }
    #[inline]
    fn duration_s(&self, profile: usize, from: usize, to: usize) -> f64 {
        self.profiles[profile].duration_s[from * self.n + to].to_f64()
    }
    #[inline]
    fn distance_m(&self, profile: usize, from: usize, to: usize) -> f64 {
        let p = &self.profiles[profile];
        match &p.distance_m {
            Some(d) => d[from * self.n + to].to_f64(),
            None => p.duration_s[from * self.n + to].to_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_matrix_size_names_the_matrix() {
        let err = DenseMatrices::<f64>::try_new(
            2,
            vec![ProfileMatrices {
                duration_s: vec![0.0; 4],
                distance_m: Some(vec![0.0; 3]),
            }],
        )
        .unwrap_err();
        assert!(err.to_string().contains("matrices[0].distance_m"), "{err}");
    }

    #[test]
    fn nan_entry_is_named() {
        let err = DenseMatrices::single(2, vec![0.0, 1.0, f64::NAN, 0.0]).unwrap_err();
        assert!(
            err.to_string().contains("matrices[0].duration_s[1][0]"),
            "{err}"
        );
    }

    #[test]
    fn u32_max_is_unreachable() {
        let m = DenseMatrices::single(2, vec![0u32, u32::MAX, 5, 0]).unwrap();
        assert!(m.duration_s(0, 0, 1).is_infinite());
        assert_eq!(m.distance_m(0, 1, 0), 5.0);
    }
}
