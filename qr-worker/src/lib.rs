//! Reads a QR code out of RGBA pixels. Pure, so it is tested natively; `main.rs` is the worker.

/// What a look at the picture found.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    /// The text of the first QR code that decoded.
    Text(String),
    /// QR codes were seen but none decoded (blurred, cut off, too small).
    Unreadable,
    /// No QR code in the picture.
    NoCode,
}

impl Reading {
    /// The worker's answer to the page: `ok:<text>`, `unreadable` or `none`.
    pub fn to_message(&self) -> String {
        match self {
            Reading::Text(text) => format!("ok:{text}"),
            Reading::Unreadable => "unreadable".to_owned(),
            Reading::NoCode => "none".to_owned(),
        }
    }
}

/// Reads `rgba` (4 bytes a pixel, rows of `width`); a buffer too short for its size reads as
/// no code rather than panicking.
pub fn read_rgba(width: usize, height: usize, rgba: &[u8]) -> Reading {
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return Reading::NoCode;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        // Transparent pixels count as white: a screenshot's margins are sometimes see-through.
        let alpha = u32::from(rgba[i + 3]);
        let luma = (u32::from(rgba[i]) * 299
            + u32::from(rgba[i + 1]) * 587
            + u32::from(rgba[i + 2]) * 114)
            / 1000;
        (luma * alpha / 255 + (255 - alpha)) as u8
    });
    let grids = image.detect_grids();
    if grids.is_empty() {
        return Reading::NoCode;
    }
    grids
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| Reading::Text(text)))
        .unwrap_or(Reading::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as a QR code, 4 pixels a module, with a quiet zone, as RGBA.
    fn qr_picture(text: &str) -> (usize, usize, Vec<u8>) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (4, 4);
        let side = (modules + 2 * quiet) * scale;
        let mut rgba = vec![255u8; side * side * 4];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = (
                    (x / scale).wrapping_sub(quiet),
                    (y / scale).wrapping_sub(quiet),
                );
                if mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark
                {
                    let i = (y * side + x) * 4;
                    rgba[i..i + 3].fill(0);
                }
            }
        }
        (side, side, rgba)
    }

    #[test]
    fn an_owner_key_qr_code_is_read_back_as_its_text() {
        let text =
            "ssm://UI?t=sk&sk=BQs+XxZl4UO1kYDJFfpLBtkAAAAAAAESNFZ4EjRWeBI0VngSNFZ4&l=0&n=Box";
        let (w, h, rgba) = qr_picture(text);
        assert_eq!(read_rgba(w, h, &rgba), Reading::Text(text.to_owned()));
    }

    #[test]
    fn a_blank_picture_has_no_code() {
        let white = vec![255u8; 40 * 30 * 4];
        assert_eq!(read_rgba(40, 30, &white), Reading::NoCode);
    }

    #[test]
    fn a_buffer_shorter_than_its_size_is_no_code_not_a_panic() {
        assert_eq!(read_rgba(100, 100, &[0; 12]), Reading::NoCode);
        assert_eq!(read_rgba(0, 0, &[]), Reading::NoCode);
    }

    #[test]
    fn the_answers_to_the_page_are_prefixed() {
        assert_eq!(Reading::Text("ssm://x".into()).to_message(), "ok:ssm://x");
        assert_eq!(Reading::NoCode.to_message(), "none");
    }
}
