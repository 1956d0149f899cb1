//! What a file browser does with a selection: create a new folder, rename without overwriting,
//! move or copy several files and folders into a folder. A move never replaces what the
//! destination has; a copy into the folder that has the original gets the next free name.

use super::folder::Storage;
use super::free_name::free_name;
use super::remote_path::RemotePath;
use crate::error::{Error, ErrorCode, Result};

impl Storage {
    /// Creates the folder `path`; `storage.already_exists` when a file or folder has the name.
    pub async fn create_new_folder(&self, path: &RemotePath) -> Result<()> {
        self.refuse_taken(path).await?;
        self.create_folder(path).await
    }

    /// Renames (or moves) `from` to the full path `to`, which must be free; where it is now.
    pub async fn rename_to_free(&self, from: &RemotePath, to: &RemotePath) -> Result<RemotePath> {
        if from == to {
            return Ok(to.clone());
        }
        self.refuse_taken(to).await?;
        self.rename(from, to).await
    }

    /// Moves each of `paths` into the folder `to`, refusing a name `to` already has (nothing
    /// is moved then); where they are now. One already in `to` stays.
    pub async fn move_into(
        &self,
        paths: &[RemotePath],
        to: &RemotePath,
    ) -> Result<Vec<RemotePath>> {
        self.require_folder(to).await?;
        let mut moves = Vec::with_capacity(paths.len());
        for from in paths {
            let destination = to.join(from.name().unwrap_or_default())?;
            if destination != *from {
                self.refuse_taken(&destination).await?;
            }
            moves.push((from, destination));
        }
        let mut moved = Vec::with_capacity(moves.len());
        for (from, destination) in moves {
            if destination != *from {
                self.rename(from, &destination).await?;
            }
            moved.push(destination);
        }
        Ok(moved)
    }

    /// Copies each of `paths` into the folder `to` (server-side), under the next free name
    /// when `to` has the name (`a (2).txt`); where the copies are.
    pub async fn copy_into(
        &self,
        paths: &[RemotePath],
        to: &RemotePath,
    ) -> Result<Vec<RemotePath>> {
        self.require_folder(to).await?;
        let mut copies = Vec::with_capacity(paths.len());
        for from in paths {
            let name = from.name().unwrap_or_default();
            let mut destination = to.join(name)?;
            if self.exists(&destination).await? {
                let is_folder = self.stat(from).await?.is_folder();
                let mut taken = std::collections::HashSet::new();
                for entry in self.list_all(to).await.unwrap_or_default() {
                    if let Some(first) =
                        entry.path.relative_to(to).and_then(|r| r.split('/').next())
                    {
                        taken.insert(first.to_owned());
                    }
                }
                destination = to.join(&free_name(name, is_folder, |n| taken.contains(n)))?;
            }
            copies.push(self.copy(from, &destination).await?);
        }
        Ok(copies)
    }

    async fn exists(&self, path: &RemotePath) -> Result<bool> {
        match self.stat(path).await {
            Ok(_) => Ok(true),
            Err(err) if err.code == ErrorCode::StorageNotFound => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn refuse_taken(&self, path: &RemotePath) -> Result<()> {
        match self.exists(path).await? {
            true => Err(Error::new(
                ErrorCode::StorageAlreadyExists,
                format!("{path} already exists; choose another name"),
            )),
            false => Ok(()),
        }
    }

    async fn require_folder(&self, path: &RemotePath) -> Result<()> {
        match self.stat(path).await?.is_folder() {
            true => Ok(()),
            false => Err(Error::new(
                ErrorCode::StorageInvalidPath,
                format!("{path} is a file; choose a folder to put things in"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_folder::storage_with;

    fn path(text: &str) -> RemotePath {
        RemotePath::parse(text).unwrap()
    }

    async fn names(storage: &Storage) -> Vec<String> {
        let mut all: Vec<String> = storage
            .list_all(&RemotePath::root())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.path.as_str().to_owned())
            .collect();
        all.sort_unstable();
        all
    }

    #[tokio::test]
    async fn new_folders_and_renames_never_take_a_used_name() {
        let storage = storage_with(&["a.txt", "docs/b.txt"]).await;
        for taken in ["a.txt", "docs"] {
            let err = storage.create_new_folder(&path(taken)).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::StorageAlreadyExists, "{taken}");
        }
        storage.create_new_folder(&path("new")).await.unwrap();
        let err = storage
            .rename_to_free(&path("a.txt"), &path("docs"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageAlreadyExists);
        let renamed = storage
            .rename_to_free(&path("a.txt"), &path("new/c.txt"))
            .await
            .unwrap();
        assert_eq!(renamed, path("new/c.txt"));
        assert_eq!(names(&storage).await, ["docs/b.txt", "new", "new/c.txt"]);
    }

    #[tokio::test]
    async fn moves_refuse_clashes_and_copies_take_the_next_free_name() {
        let storage = storage_with(&["a.txt", "docs/a.txt", "docs/a (2).txt", "pics/p.png"]).await;
        let err = storage
            .move_into(&[path("pics"), path("a.txt")], &path("docs"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageAlreadyExists);
        assert!(
            names(&storage).await.contains(&"pics/p.png".to_owned()),
            "nothing moved"
        );

        let copies = storage
            .copy_into(&[path("a.txt"), path("pics")], &path("docs"))
            .await
            .unwrap();
        assert_eq!(copies, [path("docs/a (3).txt"), path("docs/pics")]);
        let moved = storage.move_into(&[path("pics")], &path("")).await.unwrap();
        assert_eq!(moved, [path("pics")], "already there: stays");
        let err = storage
            .move_into(&[path("pics")], &path("a.txt"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::StorageInvalidPath);
    }
}
