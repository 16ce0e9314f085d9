//! QR codes as inline SVG (the `qrcode` crate): printed sheets carry one to the live sheet.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An `<svg>` element encoding `text` (no XML prolog, so that it can sit inside HTML); `None`
/// when the text is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg")?;
    Some(image[start..].to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_becomes_an_inline_svg() {
        let s =
            super::svg("http://127.0.0.1:8080/squad/0190a6c2-1b2c-7def-8000-000000000000").unwrap();
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(super::svg(&"x".repeat(5000)).is_none());
    }
}
