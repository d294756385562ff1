//! A screenshot of an owner QR code, made in the test: the code drawn on a phone-sized picture
//! and written as a PNG (8-bit grey, zlib "stored" blocks: no compression library needed).

/// The owner key QR text of a Web API Sesame: product type 5 (SESAME 5), the 39-byte layout.
pub fn owner_qr_text(secret_hex: &str, uuid: &str) -> String {
    let mut raw = vec![5u8];
    raw.extend(hex_bytes(secret_hex));
    raw.extend([1, 2, 3, 4, 0, 1]);
    raw.extend(hex_bytes(&uuid.replace('-', "")));
    format!("ssm://UI?t=sk&sk={}&l=0&n=Box", base64(&raw))
}

/// A 600 × 1000 "screenshot" with a title bar and `text` as a QR code in the middle, as PNG.
pub fn qr_screenshot_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("the text fits in a QR code");
    let (modules, colors) = (code.width(), code.to_colors());
    let (width, height, scale) = (600usize, 1000usize, 6usize);
    let mut grey = vec![255u8; width * height];
    // A darker bar on top, as a phone's status bar would be.
    grey[..width * 60].fill(40);
    let left = (width - modules * scale) / 2;
    let top = (height - modules * scale) / 2;
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % modules, i / modules);
            for y in 0..scale {
                let row = (top + my * scale + y) * width;
                let start = row + left + mx * scale;
                grey[start..start + scale].fill(0);
            }
        }
    }
    png_grey(width, height, &grey)
}

fn png_grey(width: usize, height: usize, grey: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in grey.chunks(width) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend((width as u32).to_be_bytes());
    header.extend((height as u32).to_be_bytes());
    header.extend([8, 0, 0, 0, 0]); // 8 bits, grey, deflate, no filter choice, no interlace
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend((data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend(kind);
    png.extend(data);
    let crc = crc32(&png[start..]);
    png.extend(crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksums_and_base64_match_known_values() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(&[5, 1]), "BQE=");
    }
}
