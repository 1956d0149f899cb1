//! Choosing the part size of a multipart upload within S3's limits.

use crate::error::{Error, ErrorCode, Result};

/// S3's smallest part (all but the last).
pub const MIN_PART_SIZE: u64 = 5 << 20;
/// S3's largest part.
pub const MAX_PART_SIZE: u64 = 5 << 30;
/// S3's most parts in one upload.
pub const MAX_PARTS: u64 = 10_000;
const MIB: u64 = 1 << 20;

/// The part size for a file of `size` bytes: `preferred` when the file fits in 10,000 parts of
/// it, else the smallest whole number of MiB that fits, never below 5 MiB or above 5 GiB.
pub fn part_size_for(size: u64, preferred: u64) -> Result<u64> {
    let needed = size.div_ceil(MAX_PARTS);
    let part = preferred
        .min(MAX_PART_SIZE)
        .max(needed)
        .max(MIN_PART_SIZE)
        .div_ceil(MIB)
        * MIB;
    if part > MAX_PART_SIZE {
        return Err(Error::new(
            ErrorCode::TransferLocalRead,
            format!(
                "a file of {size} bytes is larger than S3 allows in one object ({} bytes); split it first",
                MAX_PART_SIZE * MAX_PARTS
            ),
        ));
    }
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typical_sizes() {
        assert_eq!(part_size_for(0, 8 * MIB).unwrap(), 8 * MIB);
        assert_eq!(part_size_for(1 << 30, 8 * MIB).unwrap(), 8 * MIB);
        assert_eq!(part_size_for(1 << 30, MIB).unwrap(), MIN_PART_SIZE);
        // 1 TiB needs parts of at least 104.86 MiB: rounded up to 105 MiB.
        assert_eq!(part_size_for(1 << 40, 8 * MIB).unwrap(), 105 * MIB);
        assert!(part_size_for(MAX_PART_SIZE * MAX_PARTS + 1, 8 * MIB).is_err());
    }

    proptest! {
        #[test]
        fn parts_stay_within_s3_limits(size in 0..=MAX_PART_SIZE * MAX_PARTS, preferred in 0..=(8u64 << 30)) {
            let part = part_size_for(size, preferred).unwrap();
            prop_assert!((MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part));
            prop_assert!(size.div_ceil(part) <= MAX_PARTS);
            prop_assert!(part >= preferred.min(MAX_PART_SIZE) || size.div_ceil(preferred.max(1)) > MAX_PARTS);
        }
    }
}
