//! What a preview pane shows of a file: an image as a `data:` URL, the start of a text, or why
//! there is nothing to show. Only the bytes a preview needs are read (one ranged GET), never
//! the whole of a large file.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::{Bytes, BytesMut};
use futures::TryStreamExt;
use serde::Serialize;

use super::folder::Storage;
use super::object_client::GetObjectParams;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

/// The largest image shown (a `data:` URL costs a third more, held in the web view).
pub const IMAGE_PREVIEW_MAX: u64 = 8 << 20;
/// The most of a text shown.
pub const TEXT_PREVIEW_MAX: u64 = 256 << 10;

/// A file's preview, with its `kind` named: `{"kind": "image", "mime", "data_url", "size"}`,
/// `{"kind": "text", "text", "truncated", "size"}` or `{"kind": "none", "reason", "size"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Preview {
    /// A PNG, JPEG, GIF or WebP image, whole.
    Image {
        /// Its type, from its first bytes (not its name).
        mime: &'static str,
        /// The image as a `data:` URL.
        data_url: String,
        /// The file's length in bytes.
        size: u64,
    },
    /// UTF-8 text, up to [`TEXT_PREVIEW_MAX`] bytes of it.
    Text {
        /// The text shown.
        text: String,
        /// The file goes on past `text`.
        truncated: bool,
        /// The file's length in bytes.
        size: u64,
    },
    /// Nothing to show.
    None {
        /// Why, for people.
        reason: String,
        /// The file's length in bytes.
        size: u64,
    },
}

impl Storage {
    /// The preview of the file at `path`; `storage.not_found` when there is no file there.
    pub async fn preview(&self, path: &RemotePath) -> Result<Preview> {
        let info = self.head(path).await.map_err(|err| match err.code {
            ErrorCode::StorageNotFound => Error::new(
                err.code,
                format!("{path} is not a file (or no longer exists); refresh the folder"),
            ),
            _ => err,
        })?;
        let size = info.size;
        let wanted = match looks_like_image(path) {
            true if size > IMAGE_PREVIEW_MAX => {
                return Ok(Preview::None {
                    reason: format!(
                        "the image is larger than {} MiB; open it instead",
                        IMAGE_PREVIEW_MAX >> 20
                    ),
                    size,
                });
            }
            true => size,
            // A few bytes more than shown: a character cut at the limit is finished.
            false => size.min(TEXT_PREVIEW_MAX + 4),
        };
        let head = self.read_start(path, wanted).await?;
        Ok(classify(&head, size))
    }

    /// The first `len` bytes of the file at `path` (fewer when it is shorter), in one ranged
    /// request; a body cut off is asked for again under the retry policy.
    pub async fn read_start(&self, path: &RemotePath, len: u64) -> Result<Bytes> {
        if len == 0 {
            return Ok(Bytes::new());
        }
        let params = GetObjectParams {
            key: self.key(path)?,
            range: Some(0..len),
            if_match: None,
        };
        let doing = format!("reading {path}");
        self.send(&doing, || async {
            let got = self.client().get_object(&params).await?;
            let mut read = BytesMut::new();
            let mut body = got.body;
            while let Some(chunk) = body.try_next().await? {
                read.extend_from_slice(&chunk);
                if read.len() as u64 >= len {
                    break;
                }
            }
            read.truncate(len as usize);
            Ok(read.freeze())
        })
        .await
    }
}

/// Whether the name says the file is an image the pane shows, so it is read whole.
fn looks_like_image(path: &RemotePath) -> bool {
    let name = path.name().unwrap_or_default().to_ascii_lowercase();
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .unwrap_or_default();
    matches!(extension, "png" | "jpg" | "jpeg" | "gif" | "webp")
}

/// The preview of a file of `size` bytes whose first bytes are `head`.
fn classify(head: &[u8], size: u64) -> Preview {
    let whole = head.len() as u64 >= size;
    if let Some(mime) = image_type(head) {
        return match whole {
            true => Preview::Image {
                mime,
                data_url: format!("data:{mime};base64,{}", STANDARD.encode(head)),
                size,
            },
            false => Preview::None {
                reason: format!(
                    "the image is larger than {} MiB; open it instead",
                    IMAGE_PREVIEW_MAX >> 20
                ),
                size,
            },
        };
    }
    let shown = &head[..head.len().min(TEXT_PREVIEW_MAX as usize)];
    let text = match std::str::from_utf8(shown) {
        Ok(text) => text,
        // A character cut at the limit: show up to it.
        Err(err) if err.error_len().is_none() && !whole => {
            std::str::from_utf8(&shown[..err.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return binary(size),
    };
    if text.contains('\0') {
        return binary(size);
    }
    Preview::Text {
        text: text.to_owned(),
        truncated: (text.len() as u64) < size,
        size,
    }
}

fn binary(size: u64) -> Preview {
    Preview::None {
        reason: "not text or an image the preview shows; open it instead".to_owned(),
        size,
    }
}

/// The image type the first bytes name, for the types web views show.
fn image_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::storage::{FolderRoot, MemoryClient, PutObjectParams};

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(
            classify(PNG, PNG.len() as u64),
            Preview::Image {
                mime: "image/png",
                data_url: format!("data:image/png;base64,{}", STANDARD.encode(PNG)),
                size: PNG.len() as u64,
            }
        );
        assert!(matches!(
            classify(b"\xff\xd8\xff\xe0", 4),
            Preview::Image {
                mime: "image/jpeg",
                ..
            }
        ));
        assert!(matches!(
            classify(b"GIF89a..", 8),
            Preview::Image {
                mime: "image/gif",
                ..
            }
        ));
        assert!(matches!(
            classify(b"RIFF\0\0\0\0WEBPVP8 ", 16),
            Preview::Image {
                mime: "image/webp",
                ..
            }
        ));
        assert!(
            matches!(classify(PNG, 100 << 20), Preview::None { .. }),
            "an image not read whole is not shown"
        );
    }

    #[test]
    fn text_is_shown_up_to_its_limit_and_binary_is_not() {
        assert_eq!(
            classify("héllo\n".as_bytes(), 7),
            Preview::Text {
                text: "héllo\n".to_owned(),
                truncated: false,
                size: 7
            }
        );
        let long = "é".repeat(TEXT_PREVIEW_MAX as usize); // twice the limit in bytes
        let head = &long.as_bytes()[..TEXT_PREVIEW_MAX as usize + 3];
        let Preview::Text {
            text, truncated, ..
        } = classify(head, long.len() as u64)
        else {
            panic!("long text is still text");
        };
        assert!(truncated);
        assert_eq!(text.len(), TEXT_PREVIEW_MAX as usize);
        assert!(matches!(
            classify(b"\0\x01\x02binary", 9),
            Preview::None { .. }
        ));
        assert!(matches!(
            classify(b"\xff\xfe not utf-8", 13),
            Preview::None { .. }
        ));
        assert_eq!(
            classify(b"", 0),
            Preview::Text {
                text: String::new(),
                truncated: false,
                size: 0
            }
        );
    }

    #[tokio::test]
    async fn a_preview_reads_only_the_start_of_a_large_text() {
        let storage = Storage::with_client(
            Arc::new(MemoryClient::new("bucket")),
            FolderRoot::new("me/").unwrap(),
        );
        let body = "line\n".repeat(200_000);
        let params = PutObjectParams {
            key: "me/log.txt".to_owned(),
            body: Bytes::from(body.clone()),
            ..PutObjectParams::default()
        };
        storage.client().put_object(&params).await.unwrap();
        let path = RemotePath::parse("log.txt").unwrap();
        let Preview::Text {
            text,
            truncated,
            size,
        } = storage.preview(&path).await.unwrap()
        else {
            panic!("a text file previews as text");
        };
        assert_eq!(
            (text.len() as u64, truncated, size),
            (TEXT_PREVIEW_MAX, true, body.len() as u64)
        );
        let err = storage
            .preview(&RemotePath::parse("nope.png").unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageNotFound);
    }
}
