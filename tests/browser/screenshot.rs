//! The README's screenshot: two browser windows side by side.
//!
//! Taken only when `PRESENCE_SCREENSHOT=1`, so an ordinary test run does
//! not rewrite the committed file.

use std::path::Path;

use image::{ImageFormat, Rgba, RgbaImage, imageops};

use crate::driver::Context;

/// The space between and around the windows, in pixels.
const MARGIN: u32 = 16;
/// The backdrop behind the windows.
const BACKDROP: Rgba<u8> = Rgba([0xd5, 0xda, 0xe3, 0xff]);

/// Whether this run should write the screenshot.
pub fn wanted() -> bool {
    std::env::var("PRESENCE_SCREENSHOT").as_deref() == Ok("1")
}

/// Captures `left` and `right` and writes them side by side to `path`.
pub async fn side_by_side(left: &Context, right: &Context, path: &Path) {
    let left = capture(left).await;
    let right = capture(right).await;
    let width = left.width() + right.width() + 3 * MARGIN;
    let height = left.height().max(right.height()) + 2 * MARGIN;
    let mut canvas = RgbaImage::from_pixel(width, height, BACKDROP);
    imageops::overlay(&mut canvas, &left, MARGIN.into(), MARGIN.into());
    let right_x = left.width() + 2 * MARGIN;
    imageops::overlay(&mut canvas, &right, right_x.into(), MARGIN.into());
    canvas
        .save_with_format(path, ImageFormat::Png)
        .expect("write the screenshot");
    println!("wrote {}", path.display());
}

async fn capture(context: &Context) -> RgbaImage {
    let png = context.client.screenshot().await.expect("screenshot");
    image::load_from_memory_with_format(&png, ImageFormat::Png)
        .expect("a PNG")
        .to_rgba8()
}
