//! Reads the owner QR code out of an uploaded screenshot, in the page: the browser's own
//! `BarcodeDetector` where it has one, else the QR worker (`qr-worker/`, its own small WASM,
//! fetched only now, so the page's first download stays small). The pixels are read through a
//! canvas; the text goes to the server, which parses it as typed QR text.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap, ImageData, MessageEvent, Worker,
};

/// trunk's loader of the worker (`data-loader-shim`): workers keep unhashed names. Relative:
/// built with the connect page, it sits in that page's directory (`/connect/`, or `/` under
/// `trunk serve connect.html`).
const WORKER_URL: &str = "qr_worker_loader.js";
/// Larger pictures are scaled down first: a phone screenshot's QR code stays large enough.
const MAX_SIDE: u32 = 2048;
/// The worker's answer should come within seconds; past this it is stopped.
const WORKER_TIMEOUT_MS: i32 = 30_000;

/// Why no QR text came out of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrProblem {
    /// The browser could not open the file as a picture.
    NotAPicture,
    /// No QR code in the picture.
    NoCode,
    /// A QR code was seen but could not be read.
    Unreadable,
    /// The reader itself failed to load or answer.
    ReaderFailed,
}

/// The text of the first QR code in `file`.
pub async fn read_qr(file: File) -> Result<String, QrProblem> {
    let window = web_sys::window().ok_or(QrProblem::ReaderFailed)?;
    let opening = window
        .create_image_bitmap_with_blob(&file)
        .map_err(|_| QrProblem::NotAPicture)?;
    let bitmap: ImageBitmap = JsFuture::from(opening)
        .await
        .map_err(|_| QrProblem::NotAPicture)?
        .unchecked_into();
    let found = match with_barcode_detector(&window, &bitmap).await {
        Some(text) => Ok(text),
        None => match pixels(&window, &bitmap) {
            Some(image) => in_worker(&window, &image).await,
            None => Err(QrProblem::ReaderFailed),
        },
    };
    bitmap.close();
    found
}

/// The browser's `BarcodeDetector`, when it exists and reads QR codes (not in every browser;
/// not in web-sys's stable API either, hence `Reflect`). `None`: no detector, or it found nothing.
async fn with_barcode_detector(window: &web_sys::Window, bitmap: &ImageBitmap) -> Option<String> {
    let get = |target: &JsValue, key: &str| Reflect::get(target, &JsValue::from_str(key)).ok();
    let detector_class = get(window, "BarcodeDetector")?
        .dyn_into::<Function>()
        .ok()?;
    let formats = get(&detector_class, "getSupportedFormats")?
        .dyn_into::<Function>()
        .ok()?
        .call0(&detector_class)
        .ok()?;
    let formats = JsFuture::from(formats.dyn_into::<Promise>().ok()?)
        .await
        .ok()?;
    let qr = JsValue::from_str("qr_code");
    if !Array::from(&formats).includes(&qr, 0) {
        return None;
    }
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("formats"), &Array::of1(&qr)).ok()?;
    let detector = Reflect::construct(&detector_class, &Array::of1(&options)).ok()?;
    let detecting = get(&detector, "detect")?
        .dyn_into::<Function>()
        .ok()?
        .call1(&detector, bitmap)
        .ok()?;
    let codes = JsFuture::from(detecting.dyn_into::<Promise>().ok()?)
        .await
        .ok()?;
    Array::from(&codes)
        .iter()
        .find_map(|code| get(&code, "rawValue")?.as_string())
}

/// The picture's pixels, drawn on a canvas (scaled down when larger than [`MAX_SIDE`]).
fn pixels(window: &web_sys::Window, bitmap: &ImageBitmap) -> Option<ImageData> {
    let (width, height) = scaled(bitmap.width(), bitmap.height())?;
    let canvas: HtmlCanvasElement = window
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let (w, h) = (f64::from(width), f64::from(height));
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w, h)
        .ok()?;
    context.get_image_data(0.0, 0.0, w, h).ok()
}

/// The size to draw at: at most [`MAX_SIDE`] on the longer side, never zero.
pub fn scaled(width: u32, height: u32) -> Option<(u32, u32)> {
    if width == 0 || height == 0 {
        return None;
    }
    let longer = width.max(height);
    if longer <= MAX_SIDE {
        return Some((width, height));
    }
    let shrink = |side: u32| ((u64::from(side) * u64::from(MAX_SIDE)) / u64::from(longer)).max(1);
    Some((shrink(width) as u32, shrink(height) as u32))
}

/// Starts the worker, hands it the pixels once it says `ready`, and reads its one answer.
async fn in_worker(window: &web_sys::Window, image: &ImageData) -> Result<String, QrProblem> {
    let worker = Worker::new(WORKER_URL).map_err(|_| QrProblem::ReaderFailed)?;
    // The callbacks live until the answer is in; then the worker is stopped and they go.
    let mut callbacks = None;
    let answer = Promise::new(&mut |resolve: Function, reject: Function| {
        let (to_worker, pixels) = (worker.clone(), image.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some("ready") {
                if to_worker.post_message(&pixels).is_err() {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str("failed"));
                }
            } else {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
        let failed = reject.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let _ = failed.call0(&JsValue::NULL);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&reject, WORKER_TIMEOUT_MS);
        callbacks = Some((on_message, on_error));
    });
    let answer = JsFuture::from(answer).await;
    worker.terminate();
    drop(callbacks);
    let answer = answer
        .ok()
        .and_then(|a| a.as_string())
        .ok_or(QrProblem::ReaderFailed)?;
    worker_answer(&answer)
}

/// The worker's answer: `ok:<text>`, `unreadable` or `none` (`qr-worker/src/lib.rs`).
pub fn worker_answer(answer: &str) -> Result<String, QrProblem> {
    match answer {
        "none" => Err(QrProblem::NoCode),
        "unreadable" => Err(QrProblem::Unreadable),
        other => other
            .strip_prefix("ok:")
            .map(str::to_owned)
            .ok_or(QrProblem::ReaderFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_pictures_are_scaled_to_the_longer_side_and_empty_ones_refused() {
        assert_eq!(scaled(1179, 2556), Some((944, 2048)));
        assert_eq!(scaled(800, 600), Some((800, 600)));
        assert_eq!(scaled(100_000, 1), Some((2048, 1)));
        assert_eq!(scaled(0, 10), None);
    }

    #[test]
    fn the_workers_answers_are_read() {
        assert_eq!(
            worker_answer("ok:ssm://UI?t=sk"),
            Ok("ssm://UI?t=sk".into())
        );
        assert_eq!(worker_answer("none"), Err(QrProblem::NoCode));
        assert_eq!(worker_answer("unreadable"), Err(QrProblem::Unreadable));
        assert_eq!(worker_answer("failed"), Err(QrProblem::ReaderFailed));
    }
}
