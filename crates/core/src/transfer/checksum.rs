//! CRC64-NVME content hashes: computed per part while data moves, combined into the hash of the
//! whole file without reading it again.

use std::path::Path;

use crc_fast::{CrcAlgorithm, checksum, checksum_combine, checksum_file};

const ALGORITHM: CrcAlgorithm = CrcAlgorithm::Crc64Nvme;

pub(crate) fn crc64(data: &[u8]) -> u64 {
    checksum(ALGORITHM, data)
}

/// The hash of `first` followed by `second_len` bytes hashing to `second`.
pub(crate) fn combine(first: u64, second: u64, second_len: u64) -> u64 {
    checksum_combine(ALGORITHM, first, second, second_len)
}

/// The hash of consecutive pieces given as (hash, length), in order.
pub(crate) fn combine_all(pieces: impl IntoIterator<Item = (u64, u64)>) -> u64 {
    let mut iter = pieces.into_iter();
    let Some((first, _)) = iter.next() else {
        return crc64(&[]);
    };
    iter.fold(first, |acc, (crc, len)| combine(acc, crc, len))
}

/// Streams a file from disk (blocking: call from `spawn_blocking`).
pub(crate) fn crc64_file(path: &Path) -> std::io::Result<u64> {
    checksum_file(ALGORITHM, &path.to_string_lossy(), Some(1 << 20))
}

/// A running hash over data that arrives in order (a download range).
pub(crate) struct RunningCrc(crc_fast::Digest);

impl RunningCrc {
    pub(crate) fn new() -> Self {
        Self(crc_fast::Digest::new(ALGORITHM))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_parts_equals_hashing_the_whole() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let pieces = data.chunks(30_000).map(|c| (crc64(c), c.len() as u64));
        assert_eq!(combine_all(pieces), crc64(&data));
        let mut running = RunningCrc::new();
        data.chunks(999).for_each(|c| running.update(c));
        assert_eq!(running.finish(), crc64(&data));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, &data).unwrap();
        assert_eq!(crc64_file(&file).unwrap(), crc64(&data));
        assert_eq!(combine_all([]), crc64(&[]));
    }
}
