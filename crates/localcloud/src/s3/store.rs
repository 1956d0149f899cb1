//! One bucket on disk: `<data_dir>/s3/<bucket>/`.
//!
//! Layout:
//! - `objects/<hh>/<sha256(key)>`: one file per object, the object's bytes followed by a trailer
//!   (the [`ObjectMeta`] as JSON, its length, a magic tag). Naming files by the key's hash lets any
//!   key (`:`, unicode, `..`, 1024 bytes) be stored, and keeping data and metadata in one file lets
//!   a single `rename` publish both at once.
//! - `uploads/<upload id>/`: unfinished multipart uploads (see `multipart.rs`).
//! - `tmp/`: files being written; emptied at start, so a crash never leaves a partial object.
//!
//! The keys and their metadata are also kept in memory, sorted, for listing.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

const TRAILER_MAGIC: &[u8; 8] = b"CUBBYv1\n";
/// Length of the fixed tail: JSON length (u64 little endian) and the magic tag.
const TAIL_LEN: u64 = 16;

/// A stored checksum as S3 reports it: algorithm name (`CRC32`, `CRC64NVME`, ...) and base64 value;
/// `composite` for multipart objects (`<base64>-<parts>`), which clients do not validate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredChecksum {
    pub algorithm: String,
    pub value: String,
    pub composite: bool,
}

/// Everything S3 returns about an object besides its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ObjectMeta {
    pub key: String,
    pub size: u64,
    /// Without quotes: hex MD5, or `<hex md5 of part md5s>-<parts>` for multipart objects.
    pub etag: String,
    pub last_modified: SystemTime,
    pub content: ContentHeaders,
    /// `x-amz-meta-*` values, names without the prefix.
    pub user_metadata: BTreeMap<String, String>,
    pub checksum: Option<StoredChecksum>,
    pub parts_count: Option<u32>,
}

/// The standard headers S3 stores with an object and returns on GET/HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ContentHeaders {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
}

/// A file under `tmp/` that is removed unless it is renamed into place.
pub(crate) struct TempFile {
    path: PathBuf,
    kept: bool,
}

impl TempFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file to `dest` (atomically, same file system) and stops guarding it.
    pub fn persist(mut self, dest: &Path) -> io::Result<()> {
        std::fs::rename(&self.path, dest)?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams data into a temporary file, then appends the trailer.
pub(crate) struct DataWriter {
    temp: TempFile,
    file: BufWriter<tokio::fs::File>,
    written: u64,
}

impl DataWriter {
    pub fn written(&self) -> u64 {
        self.written
    }

    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await?;
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Appends `meta` as the trailer and closes the file, ready to be renamed into place.
    pub async fn finish<T: Serialize>(mut self, meta: &T) -> io::Result<TempFile> {
        let json = serde_json::to_vec(meta).map_err(io::Error::other)?;
        self.file.write_all(&json).await?;
        self.file
            .write_all(&(json.len() as u64).to_le_bytes())
            .await?;
        self.file.write_all(TRAILER_MAGIC).await?;
        self.file.flush().await?;
        Ok(self.temp)
    }
}

/// Copies `stream` into `writer`, handing every chunk to `inspect` (hashing) on the way.
pub(crate) async fn copy_stream<S, E>(
    mut stream: S,
    writer: &mut DataWriter,
    mut inspect: impl FnMut(&[u8]),
) -> Result<(), CopyError<E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(CopyError::Source)?;
        inspect(&chunk);
        writer.write(&chunk).await.map_err(CopyError::Io)?;
    }
    Ok(())
}

/// Why [`copy_stream`] stopped: the source failed (client body) or the disk did.
pub(crate) enum CopyError<E> {
    Source(E),
    Io(io::Error),
}

/// Reads the trailer of a stored file: its metadata and where the data ends.
pub(crate) fn read_trailer<T: DeserializeOwned>(file: &mut std::fs::File) -> io::Result<T> {
    let len = file.metadata()?.len();
    if len < TAIL_LEN {
        return Err(corrupt("file shorter than its trailer"));
    }
    file.seek(SeekFrom::Start(len - TAIL_LEN))?;
    let mut tail = [0u8; TAIL_LEN as usize];
    file.read_exact(&mut tail)?;
    let (json_len, magic) = tail.split_at(8);
    if magic != TRAILER_MAGIC {
        return Err(corrupt("trailer magic missing"));
    }
    let json_len = u64::from_le_bytes(json_len.try_into().expect("8 bytes"));
    let json_start = (len - TAIL_LEN)
        .checked_sub(json_len)
        .ok_or_else(|| corrupt("trailer longer than file"))?;
    file.seek(SeekFrom::Start(json_start))?;
    let mut json = vec![0u8; json_len as usize];
    file.read_exact(&mut json)?;
    serde_json::from_slice(&json).map_err(|e| corrupt(&e.to_string()))
}

fn corrupt(why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt stored object: {why}"),
    )
}

/// One bucket: its files and the sorted index of its keys.
pub(crate) struct BucketStore {
    name: String,
    root: PathBuf,
    index: RwLock<BTreeMap<String, Arc<ObjectMeta>>>,
}

impl BucketStore {
    /// Opens (creating if needed) the bucket under `root`, drops leftovers of interrupted writes
    /// and loads the index of stored objects.
    pub fn open(root: PathBuf, name: &str) -> io::Result<Self> {
        let tmp = root.join("tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        for dir in ["objects", "uploads", "tmp"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        let mut index = BTreeMap::new();
        for shard in std::fs::read_dir(root.join("objects"))? {
            for entry in std::fs::read_dir(shard?.path())? {
                let path = entry?.path();
                match std::fs::File::open(&path)
                    .and_then(|mut f| read_trailer::<ObjectMeta>(&mut f))
                {
                    Ok(meta) => {
                        index.insert(meta.key.clone(), Arc::new(meta));
                    }
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "skipping unreadable object")
                    }
                }
            }
        }
        Ok(Self {
            name: name.to_owned(),
            root,
            index: RwLock::new(index),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.root.join("uploads")
    }

    fn object_path(&self, key: &str) -> PathBuf {
        let hash = hex::encode(Sha256::digest(key.as_bytes()));
        self.root.join("objects").join(&hash[..2]).join(hash)
    }

    /// A fresh temporary path under `tmp/` (same file system as the objects, so rename is atomic).
    pub fn temp_path(&self) -> PathBuf {
        self.root.join("tmp").join(uuid::Uuid::new_v4().to_string())
    }

    /// Starts writing a new file under `tmp/`.
    pub async fn writer(&self) -> io::Result<DataWriter> {
        let temp = TempFile {
            path: self.temp_path(),
            kept: false,
        };
        let file = tokio::fs::File::create(temp.path()).await?;
        Ok(DataWriter {
            temp,
            file: BufWriter::with_capacity(256 * 1024, file),
            written: 0,
        })
    }

    pub fn head(&self, key: &str) -> Option<Arc<ObjectMeta>> {
        self.read_index().get(key).cloned()
    }

    /// Publishes a finished file as `meta.key`, replacing any previous object, if `precondition`
    /// accepts the object currently stored (checked under the same lock, so it cannot race).
    pub fn commit<E>(
        &self,
        temp: TempFile,
        meta: ObjectMeta,
        precondition: impl FnOnce(Option<&ObjectMeta>) -> Result<(), E>,
    ) -> Result<Arc<ObjectMeta>, CommitError<E>> {
        let dest = self.object_path(&meta.key);
        let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
        precondition(index.get(&meta.key).map(Arc::as_ref)).map_err(CommitError::Precondition)?;
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(CommitError::Io)?;
        }
        temp.persist(&dest).map_err(CommitError::Io)?;
        let meta = Arc::new(meta);
        index.insert(meta.key.clone(), meta.clone());
        Ok(meta)
    }

    /// Removes an object; `false` if there was none.
    pub fn delete(&self, key: &str) -> io::Result<bool> {
        let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
        match std::fs::remove_file(self.object_path(key)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(index.remove(key).is_some())
    }

    /// Opens an object for reading: the file and the metadata of that very file (a concurrent
    /// overwrite cannot mix one version's metadata with another's bytes).
    pub async fn open_object(
        &self,
        key: &str,
    ) -> io::Result<Option<(tokio::fs::File, ObjectMeta)>> {
        open_with_trailer(self.object_path(key)).await
    }

    /// Runs `f` over the sorted index (for listing), holding the read lock only meanwhile.
    pub fn with_index<R>(&self, f: impl FnOnce(&BTreeMap<String, Arc<ObjectMeta>>) -> R) -> R {
        f(&self.read_index())
    }

    fn read_index(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<ObjectMeta>>> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Why [`BucketStore::commit`] did not publish the object.
pub(crate) enum CommitError<E> {
    Precondition(E),
    Io(io::Error),
}

/// Opens a stored file and reads its trailer; `None` if there is no such file.
pub(crate) async fn open_with_trailer<T: DeserializeOwned + Send + 'static>(
    path: PathBuf,
) -> io::Result<Option<(tokio::fs::File, T)>> {
    let opened = tokio::task::spawn_blocking(move || {
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = read_trailer(&mut file)?;
        Ok(Some((file, meta)))
    })
    .await
    .map_err(io::Error::other)??;
    Ok(opened.map(|(file, meta)| (tokio::fs::File::from_std(file), meta)))
}

/// A stream of `len` bytes of `file` from `start`.
pub(crate) async fn read_range(
    mut file: tokio::fs::File,
    start: u64,
    len: u64,
) -> io::Result<tokio_util::io::ReaderStream<tokio::io::Take<tokio::fs::File>>> {
    file.seek(SeekFrom::Start(start)).await?;
    Ok(tokio_util::io::ReaderStream::with_capacity(
        file.take(len),
        64 * 1024,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(key: &str, size: u64) -> ObjectMeta {
        ObjectMeta {
            key: key.to_owned(),
            size,
            etag: "e".into(),
            last_modified: SystemTime::now(),
            content: ContentHeaders::default(),
            user_metadata: BTreeMap::new(),
            checksum: None,
            parts_count: None,
        }
    }

    #[tokio::test]
    async fn objects_survive_reopen_and_unfinished_writes_vanish() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        let store = BucketStore::open(root.clone(), "b").unwrap();
        let key = "us-east-1:abc/../ünï code:odd name";
        let mut w = store.writer().await.unwrap();
        w.write(b"hello").await.unwrap();
        let temp = w.finish(&meta(key, 5)).await.unwrap();
        store
            .commit(temp, meta(key, 5), |_| Ok::<(), ()>(()))
            .ok()
            .unwrap();

        let mut unfinished = store.writer().await.unwrap();
        unfinished.write(b"partial").await.unwrap();
        std::mem::forget(unfinished); // as if the process died mid-write

        let reopened = BucketStore::open(root.clone(), "b").unwrap();
        assert_eq!(reopened.head(key).unwrap().size, 5);
        assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
        let (file, m) = reopened.open_object(key).await.unwrap().unwrap();
        assert_eq!(m.key, key);
        let mut data = Vec::new();
        let mut stream = read_range(file, 1, 3).await.unwrap();
        while let Some(chunk) = stream.next().await {
            data.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(data, b"ell");
        assert!(reopened.delete(key).unwrap());
        assert!(!reopened.delete(key).unwrap());
        assert!(reopened.open_object(key).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn failed_precondition_keeps_the_old_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = BucketStore::open(dir.path().to_owned(), "b").unwrap();
        let w = store.writer().await.unwrap();
        let temp = w.finish(&meta("k", 0)).await.unwrap();
        let temp_path = temp.path().to_owned();
        let refused = store.commit(temp, meta("k", 0), |_| Err("no"));
        assert!(matches!(refused, Err(CommitError::Precondition("no"))));
        assert!(store.head("k").is_none());
        assert!(!temp_path.exists());
    }
}
