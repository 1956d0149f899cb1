//! Load generator for `bench/localcloud-ceiling.sh`: how fast localcloud's S3 itself goes,
//! measured with the aws-sdk-s3 client and the admin credential.
//!
//! ```text
//! s3_load ENDPOINT ACCESS_KEY SECRET puts COUNT SIZE INFLIGHT   # small PUTs, prints PUT/s
//! s3_load ENDPOINT ACCESS_KEY SECRET multipart FILE PART_MIB INFLIGHT  # one upload, prints MB/s
//! ```

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::Semaphore;

const BUCKET: &str = "cubby";

fn usage() -> ! {
    eprintln!(
        "usage: s3_load ENDPOINT ACCESS_KEY SECRET (puts COUNT SIZE INFLIGHT | multipart FILE PART_MIB INFLIGHT)"
    );
    std::process::exit(2)
}

fn number(arg: Option<&String>) -> usize {
    arg.and_then(|a| a.parse().ok()).unwrap_or_else(|| usage())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 7 {
        usage();
    }
    let credentials =
        aws_credential_types::Credentials::new(&args[1], &args[2], None, None, "bench");
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(args[0].trim_end_matches('/'))
        .force_path_style(true)
        .credentials_provider(credentials)
        .build();
    let client = Client::from_conf(config);
    match args[3].as_str() {
        "puts" => {
            puts(
                client,
                number(args.get(4)),
                number(args.get(5)),
                number(args.get(6)),
            )
            .await
        }
        "multipart" => multipart(client, &args[4], number(args.get(5)), number(args.get(6))).await,
        _ => usage(),
    }
}

async fn puts(client: Client, count: usize, size: usize, inflight: usize) {
    let body = bytes::Bytes::from(vec![7u8; size]);
    let limit = Arc::new(Semaphore::new(inflight));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let permit = limit.clone().acquire_owned().await.expect("semaphore open");
        let (client, body) = (client.clone(), body.clone());
        tasks.spawn(async move {
            let _permit = permit;
            client
                .put_object()
                .bucket(BUCKET)
                .key(format!("bench/small/{i:06}"))
                .body(ByteStream::from(body))
                .send()
                .await
                .expect("PUT failed");
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task panicked");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0}", count as f64 / secs);
}

async fn multipart(client: Client, path: &str, part_mib: usize, inflight: usize) {
    let size = std::fs::metadata(path).expect("input file").len() as usize;
    let part_size = part_mib * 1024 * 1024;
    let started = Instant::now();
    let key = "bench/big.bin";
    let upload = client
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("create");
    let upload_id = upload.upload_id().expect("upload id").to_owned();
    let limit = Arc::new(Semaphore::new(inflight));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, offset) in (0..size).step_by(part_size).enumerate() {
        let permit = limit.clone().acquire_owned().await.expect("semaphore open");
        let (client, upload_id, path) = (client.clone(), upload_id.clone(), path.to_owned());
        tasks.spawn(async move {
            let _permit = permit;
            let len = part_size.min(size - offset);
            let mut file = tokio::fs::File::open(&path).await.expect("open");
            file.seek(std::io::SeekFrom::Start(offset as u64))
                .await
                .expect("seek");
            let mut buf = vec![0; len];
            file.read_exact(&mut buf).await.expect("read");
            let number = index as i32 + 1;
            let part = client
                .upload_part()
                .bucket(BUCKET)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .body(ByteStream::from(buf))
                .send()
                .await
                .expect("upload part");
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(part.e_tag)
                .set_checksum_crc32(part.checksum_crc32)
                .build()
        });
    }
    let mut parts = Vec::new();
    while let Some(done) = tasks.join_next().await {
        parts.push(done.expect("task panicked"));
    }
    parts.sort_by_key(|p| p.part_number());
    client
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .expect("complete");
    let secs = started.elapsed().as_secs_f64();
    println!("{:.1}", size as f64 / 1e6 / secs);
}
