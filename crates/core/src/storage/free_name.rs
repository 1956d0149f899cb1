//! The first free name beside a taken one, `name (2).ext` style, as file managers make for
//! "keep both" and for a copy into the folder that has the original.

/// The first name `taken` does not have among `name (2)`, `name (3)`… A file's number goes
/// before its extension (`report (2).pdf`); a folder's dot is part of its name.
pub fn free_name(name: &str, is_folder: bool, taken: impl Fn(&str) -> bool) -> String {
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 && !is_folder => name.split_at(dot),
        _ => (name, ""),
    };
    (2..)
        .map(|n| format!("{stem} ({n}){extension}"))
        .find(|candidate| !taken(candidate))
        .expect("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_name_numbers_before_the_extension() {
        let taken = ["report.pdf", "report (2).pdf", "photos", ".bashrc"];
        let taken = |n: &str| taken.contains(&n);
        assert_eq!(free_name("report.pdf", false, taken), "report (3).pdf");
        assert_eq!(free_name("photos", true, taken), "photos (2)");
        assert_eq!(free_name(".bashrc", false, taken), ".bashrc (2)");
        assert_eq!(free_name("v1.2", true, taken), "v1.2 (2)");
        assert_eq!(
            free_name("archive.tar.gz", false, taken),
            "archive.tar (2).gz"
        );
        assert_eq!(free_name("notes", false, taken), "notes (2)");
    }
}
