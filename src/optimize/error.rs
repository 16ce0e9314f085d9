//! The optimizer's one error type.

/// What can go wrong before the solver runs: malformed problems and unreadable instance files.
///
/// Infeasible but well-formed problems are not errors: they give a plan whose unserved stops
/// carry reasons.
#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    /// A field of the problem is malformed (negative time, NaN, wrong matrix size, bad index).
    #[error("{field}: {reason}")]
    InvalidField {
        /// Path of the field, e.g. `stops[3].time_windows[0].end_s`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An instance file could not be parsed.
    #[error("{path}:{line}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line number (0 when the problem is the file as a whole).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An instance file could not be read or a solution file written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl OptimizeError {
    pub(crate) fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        OptimizeError::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn parse(path: &str, line: usize, reason: impl Into<String>) -> Self {
        OptimizeError::Parse {
            path: path.to_string(),
            line,
            reason: reason.into(),
        }
    }
}
