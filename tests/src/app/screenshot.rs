//! What a screenshot of the window shows, read from its PNG: its size, and how light it is, so
//! a test can tell the light theme from the dark one as a person looking at it would.

use std::io::Cursor;

/// What [`super::AppDriver::screenshot`] wrote: a PNG of the window's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screenshot {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the file in bytes.
    pub bytes: usize,
    /// The mean brightness of its pixels: 0 is all black, 255 all white.
    pub brightness: u8,
}

impl Screenshot {
    /// Decodes `png`; the error says why it is not a readable PNG.
    pub(super) fn from_png(png: &[u8]) -> Result<Self, String> {
        let mut decoder = png::Decoder::new(Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|err| err.to_string())?;
        let size = reader
            .output_buffer_size()
            .ok_or("the image is too large to decode")?;
        let mut pixels = vec![0; size];
        let frame = reader
            .next_frame(&mut pixels)
            .map_err(|err| err.to_string())?;
        let samples = frame.color_type.samples();
        let pixels = &pixels[..frame.buffer_size()];
        let total: u64 = pixels.chunks_exact(samples).map(luma).sum();
        let count = (pixels.len() / samples).max(1) as u64;
        Ok(Screenshot {
            width: frame.width,
            height: frame.height,
            bytes: png.len(),
            brightness: u8::try_from(total / count).unwrap_or(u8::MAX),
        })
    }
}

/// The brightness of one pixel (gray, gray and alpha, RGB or RGBA, 8 bits each), weighted as
/// the eye sees red, green and blue (ITU-R BT.601).
fn luma(pixel: &[u8]) -> u64 {
    match pixel {
        [gray] | [gray, _] => u64::from(*gray),
        [red, green, blue, ..] => {
            (299 * u64::from(*red) + 587 * u64::from(*green) + 114 * u64::from(*blue)) / 1000
        }
        [] => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `width` × `height` pixels, all of the RGB colour `rgb`.
    fn png_of(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let data: Vec<u8> = rgb.repeat((width * height) as usize);
        writer.write_image_data(&data).unwrap();
        writer.finish().unwrap();
        png
    }

    #[test]
    fn a_white_page_is_bright_and_a_dark_one_is_not() {
        let white = Screenshot::from_png(&png_of(4, 3, [255, 255, 255])).unwrap();
        assert_eq!((white.width, white.height, white.brightness), (4, 3, 255));
        let dark = Screenshot::from_png(&png_of(2, 2, [26, 27, 46])).unwrap();
        assert_eq!(dark.brightness, 28);
    }

    #[test]
    fn bytes_that_are_not_a_png_are_refused() {
        assert!(Screenshot::from_png(b"<html>not an image</html>").is_err());
    }
}
