//! How a transfer queue behaves: its limits and part sizes.

/// Limits and sizes of one transfer queue; the defaults suit a desktop on a good connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOptions {
    /// Files moving at once.
    pub files_in_flight: usize,
    /// Requests carrying file data at once (parts, ranges and whole small files).
    pub parts_in_flight: usize,
    /// Memory all part buffers together may hold.
    pub buffer_budget: u64,
    /// Preferred size of upload parts and download ranges (uploads may need larger parts).
    pub part_size: u64,
    /// Files larger than this are uploaded in parts.
    pub multipart_threshold: u64,
    /// Whether the queue itself is kept in the state database, so that
    /// [`super::Transfers::restore`] brings back what it left unfinished. A queue whose owner
    /// plans its transfers again after a restart (folder sync) needs only each file's resume
    /// state (a multipart upload's parts, a download's ranges), which is kept either way;
    /// without the queue's rows each file costs three fewer writes.
    pub record_queue: bool,
}

impl Default for TransferOptions {
    fn default() -> Self {
        Self {
            files_in_flight: 32,
            parts_in_flight: 32,
            buffer_budget: 96 << 20,
            part_size: 8 << 20,
            multipart_threshold: 16 << 20,
            record_queue: true,
        }
    }
}
