//! The one error type of the web layer and its mapping to HTTP, in one place.
//!
//! - [`AppError`] answers the JSON API as RFC 9457 problem details (`application/problem+json`),
//!   with per-field errors for validation.
//! - [`PageError`] wraps it for pages: the same status code, a page in the reader's language.
//!
//! Validation → 422 (the form itself is re-rendered by its handler, not here); malformed input
//! → 400; unknown ids → 404; a stale version → 409; too large → 413; wrong content type → 415;
//! database unreachable → 503; everything else → 500 with the cause logged, never shown.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;
use crate::i18n::{self, Lang, Tr};
use crate::intake::FieldError;

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Refused fields, with the language their messages are written in.
    #[error("validation failed")]
    Validation(Vec<FieldError>, Lang),
    /// Malformed input: unreadable JSON, a bad query parameter, a malformed id.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Query-string problems, reported per parameter.
    #[error("bad query")]
    BadQuery(Vec<(String, String)>),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large (limit {0} bytes)")]
    PayloadTooLarge(usize),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    /// No valid session or API token (API: 401; pages redirect to the login page instead).
    #[error("sign-in required")]
    Unauthorized,
    /// Signed in, but not allowed (wrong role, another squad, a missing CSRF token).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A rate limit or a locked account: try again after this many seconds.
    #[error("too many requests; retry in {0} s")]
    TooManyRequests(u64),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            DbError::Conflict(m) => AppError::Conflict(m),
            DbError::Unavailable(m) => AppError::Unavailable(m),
            DbError::Query(m) | DbError::Config(m) => AppError::Internal(m),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// A URI naming the kind of problem (`about:blank` for plain HTTP errors).
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Per-field errors (validation only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One refused field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field as the client sent it, e.g. `phone` or `items[2].quantity`.
    pub field: String,
    /// A stable code: `required`, `too_long`, `phone`, `out_of_range`, `unknown_code`, ...
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

impl AppError {
    /// The status code of each error: the single mapping.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) | AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document for this error, messages in `lang`.
    pub fn problem(&self, lang: Lang) -> ProblemDetails {
        let status = self.status();
        let (problem_type, title, detail, errors) = match self {
            AppError::Validation(fields, _) => (
                "urn:doorstep:problem:validation",
                "The request has invalid fields".to_string(),
                Some(format!("{} field(s) refused; see `errors`", fields.len())),
                fields
                    .iter()
                    .map(|f| FieldProblem {
                        field: f.field.clone(),
                        code: f.problem.code().into(),
                        message: i18n::problem(lang, &f.problem),
                    })
                    .collect(),
            ),
            AppError::BadQuery(params) => (
                "urn:doorstep:problem:bad-query",
                "Invalid query parameters".into(),
                None,
                params
                    .iter()
                    .map(|(field, message)| FieldProblem {
                        field: field.clone(),
                        code: "invalid".into(),
                        message: message.clone(),
                    })
                    .collect(),
            ),
            AppError::Unavailable(_) => (
                "urn:doorstep:problem:database-unavailable",
                "The database is unavailable".into(),
                Some("Nothing was stored. Retry in a few seconds.".into()),
                vec![],
            ),
            AppError::BadRequest(m) => {
                ("about:blank", "Bad Request".into(), Some(m.clone()), vec![])
            }
            AppError::Conflict(m) => ("about:blank", "Conflict".into(), Some(m.clone()), vec![]),
            AppError::PayloadTooLarge(limit) => (
                "about:blank",
                "Payload Too Large".into(),
                Some(format!("the body is larger than {limit} bytes")),
                vec![],
            ),
            AppError::UnsupportedMediaType(m) => (
                "about:blank",
                "Unsupported Media Type".into(),
                Some(m.clone()),
                vec![],
            ),
            AppError::NotFound => ("about:blank", "Not Found".into(), None, vec![]),
            AppError::MethodNotAllowed => {
                ("about:blank", "Method Not Allowed".into(), None, vec![])
            }
            AppError::Unauthorized => (
                "urn:doorstep:problem:unauthorized",
                "Sign-in required".into(),
                Some("Send a session cookie (with X-CSRF-Token on changes) or Authorization: Bearer <API token>.".into()),
                vec![],
            ),
            AppError::Forbidden(m) => (
                "urn:doorstep:problem:forbidden",
                "Forbidden".into(),
                Some(m.clone()),
                vec![],
            ),
            AppError::TooManyRequests(s) => (
                "urn:doorstep:problem:rate-limited",
                "Too Many Requests".into(),
                Some(format!("Try again in {s} s.")),
                vec![],
            ),
            AppError::Internal(_) => (
                "about:blank",
                "Internal Server Error".into(),
                Some("The error has been logged.".into()),
                vec![],
            ),
        };
        ProblemDetails {
            problem_type: problem_type.into(),
            title,
            status: status.as_u16(),
            detail,
            errors,
        }
    }

    /// `Retry-After` on 503 and 429, `WWW-Authenticate` on 401.
    fn extra_headers(&self, resp: &mut actix_web::HttpResponseBuilder) {
        match self {
            AppError::Unavailable(_) => {
                resp.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            AppError::TooManyRequests(s) => {
                resp.insert_header((header::RETRY_AFTER, s.to_string()));
            }
            AppError::Unauthorized => {
                resp.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"doorstep\""));
            }
            _ => {}
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
    }

    /// The catalogue key prefix of this error's page (`error.404`).
    fn page_key(&self) -> &'static str {
        match self.status().as_u16() {
            400 | 405 | 422 => "error.400",
            401 => "error.401",
            403 => "error.403",
            429 => "error.429",
            404 => "error.404",
            409 => "error.409",
            413 => "error.413",
            415 => "error.415",
            503 => "error.503",
            _ => "error.500",
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut resp = HttpResponse::build(self.status());
        resp.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        self.extra_headers(&mut resp);
        let lang = match self {
            AppError::Validation(_, lang) => *lang,
            _ => Lang::En,
        };
        resp.json(self.problem(lang))
    }
}

/// An error on a page: the same mapping, shown as a page in the reader's language.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl PageError {
    pub fn new(error: impl Into<AppError>, lang: Lang) -> Self {
        PageError {
            error: error.into(),
            lang,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    title: String,
    body: String,
    status: u16,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error.status()
    }

    fn error_response(&self) -> HttpResponse {
        use askama::Template as _;
        self.error.log();
        let t = Tr::new(self.lang);
        let key = self.error.page_key();
        let page = ErrorPage {
            t,
            title: t.get(&format!("{key}.title")).to_owned(),
            body: match &self.error {
                // "Try again in N s": the one page whose words carry a number.
                AppError::TooManyRequests(secs) => t
                    .get(&format!("{key}.body"))
                    .replace("{seconds}", &secs.to_string()),
                _ => t.get(&format!("{key}.body")).to_owned(),
            },
            status: self.error.status().as_u16(),
        };
        let html = page.render().unwrap_or_else(|_| {
            // Rendering a fixed template cannot fail on these plain strings; stay safe anyway.
            format!("<!doctype html><title>{}</title>", self.error.status())
        });
        let mut resp = HttpResponse::build(self.error.status());
        self.error.extra_headers(&mut resp);
        resp.content_type("text/html; charset=utf-8").body(html)
    }
}
