//! QR codes of squad sign-in links: an SVG for pages and the printed sheet (black on white,
//! legible in black-and-white print), and a block-character version for the terminal.

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

/// Why a QR code could not be made (only for absurdly long text).
#[derive(Debug, thiserror::Error)]
#[error("cannot make a QR code: {0}")]
pub struct QrError(String);

fn code(text: &str) -> Result<QrCode, QrError> {
    // Level M survives a crease or a smudge on a printed sheet.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| QrError(e.to_string()))
}

/// An inline `<svg>` element (no XML prologue) of `size_px` square encoding `text`.
pub fn svg(text: &str, size_px: u32) -> Result<String, QrError> {
    let image = code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(size_px, size_px)
        .quiet_zone(true)
        .build();
    // Inline in HTML the XML declaration is noise.
    Ok(match image.find("<svg") {
        Some(i) => image[i..].to_owned(),
        None => image,
    })
}

/// The code drawn with half-block characters, for `doorstep user squad-link`.
pub fn terminal(text: &str) -> Result<String, QrError> {
    Ok(code(text)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_becomes_an_svg_and_a_terminal_code() {
        let url = "https://doorstep.example/l/dsl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let s = svg(url, 200).unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.contains("<path"));
        assert!(!s.contains("<script"));
        let t = terminal(url).unwrap();
        assert!(t.lines().count() > 10);
    }
}
