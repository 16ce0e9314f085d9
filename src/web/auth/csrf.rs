//! The CSRF check's inputs. Scripts and API clients send the token in the `X-CSRF-Token`
//! header; HTML forms send it in the `csrf_token` field, which [`csrf_forms`] reads from a
//! URL-encoded body (and puts back for the handler) before the extractors compare it.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest, ResponseError};
use futures_util::StreamExt as _;

use super::SESSION_COOKIE;
use crate::auth::secret;
use crate::web::error::{AppError, PageError};
use crate::web::lang::lang_of;

/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header that carries the token.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The token a form presented, as read by the middleware.
#[derive(Clone)]
struct FormToken(String);

/// True when the request presents `expected` in the header or (per the middleware) the form.
pub(super) fn presented_matches(req: &HttpRequest, expected: &str) -> bool {
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        return h.to_str().is_ok_and(|v| secret::equal(v.trim(), expected));
    }
    req.extensions()
        .get::<FormToken>()
        .is_some_and(|t| secret::equal(&t.0, expected))
}

/// Middleware: for a state-changing, URL-encoded request that carries a session cookie and
/// no CSRF header, reads the body (up to the body limit), notes its `csrf_token` field and
/// hands the same bytes on to the handler. Everything else passes untouched.
pub async fn csrf_forms(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let wants_look = super::changes_state(req.method())
        && req.cookie(SESSION_COOKIE).is_some()
        && !req.headers().contains_key(CSRF_HEADER)
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !wants_look {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let limit = crate::web::BODY_LIMIT_BYTES;
    let mut body = BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let err = AppError::BadRequest(format!("unreadable body: {e}"));
                return Ok(refusal(req, err));
            }
        };
        if body.len() + chunk.len() > limit {
            return Ok(refusal(req, AppError::PayloadTooLarge(limit)));
        }
        body.extend_from_slice(&chunk);
    }
    let body: Bytes = body.freeze();
    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        && let Some((_, token)) = pairs.into_iter().find(|(k, _)| k == CSRF_FIELD)
    {
        req.extensions_mut().insert(FormToken(token));
    }
    req.set_payload(Payload::from(body));
    Ok(next.call(req).await?.map_into_left_body())
}

fn refusal<B>(req: ServiceRequest, e: AppError) -> ServiceResponse<EitherBody<B>> {
    let resp = if super::is_api(req.request()) {
        e.error_response()
    } else {
        PageError::new(e, lang_of(req.request())).error_response()
    };
    req.into_response(resp).map_into_right_body()
}
