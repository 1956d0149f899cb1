//! What a finished transfer moved: its bytes, and for an upload the object it made, so that a
//! caller recording the upload (the sync engine) needs no HEAD afterwards.

/// The end of a transfer that finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Bytes moved.
    pub bytes: u64,
    /// The object an upload made; `None` for a download.
    pub object: Option<Uploaded>,
}

/// The object an upload made, as this upload wrote it: the local file's size and modification
/// time as read (the ones stored with the object), its CRC64-NVME and the server's ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// Size of the file as read.
    pub size: u64,
    /// Modification time of the file as read (ns since the epoch), stored with the object.
    pub mtime_ns: i64,
    /// CRC64-NVME of the bytes sent.
    pub crc: u64,
    /// ETag the server gave the object (when it gave one).
    pub etag: Option<String>,
}

impl Moved {
    /// A download's end.
    pub(crate) fn downloaded(bytes: u64) -> Self {
        Self {
            bytes,
            object: None,
        }
    }
}
