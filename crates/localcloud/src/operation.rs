//! Names the operation of a request (`PutObject`, `GetId`, `Token`, ...) so fault rules can
//! match it. S3 operations are told apart the way S3 routes them: method, path, query, headers.

use http::{Method, Request};

use crate::identity::TARGET_PREFIX;

pub fn operation_of<B>(req: &Request<B>) -> String {
    let path = req.uri().path();
    if let Some(target) = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
    {
        return target.to_owned();
    }
    let hosted = match path {
        "/oauth2/authorize" => Some("Authorize"),
        "/oauth2/token" => Some("Token"),
        "/oauth2/revoke" => Some("Revoke"),
        "/oauth2/userInfo" => Some("UserInfo"),
        "/login" => Some("Login"),
        "/signup" => Some("SignUp"),
        "/logout" => Some("Logout"),
        _ => None,
    };
    if let Some(name) = hosted {
        return name.to_owned();
    }
    s3_operation(req).to_owned()
}

fn s3_operation<B>(req: &Request<B>) -> &'static str {
    let query = req.uri().query().unwrap_or_default();
    let has = |name: &str| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    };
    let copy = req.headers().contains_key("x-amz-copy-source");
    let segments: Vec<&str> = req
        .uri()
        .path()
        .trim_start_matches('/')
        .splitn(2, '/')
        .filter(|s| !s.is_empty())
        .collect();
    let method = req.method();
    match segments.len() {
        0 => "ListBuckets",
        1 => match *method {
            Method::GET if has("list-type") => "ListObjectsV2",
            Method::GET if has("uploads") => "ListMultipartUploads",
            Method::GET if has("location") => "GetBucketLocation",
            Method::GET => "ListObjects",
            Method::HEAD => "HeadBucket",
            Method::PUT => "CreateBucket",
            Method::DELETE => "DeleteBucket",
            Method::POST if has("delete") => "DeleteObjects",
            _ => "Unknown",
        },
        _ => match *method {
            Method::GET if has("uploadId") => "ListParts",
            Method::GET => "GetObject",
            Method::HEAD => "HeadObject",
            Method::PUT if has("partNumber") && copy => "UploadPartCopy",
            Method::PUT if has("partNumber") => "UploadPart",
            Method::PUT if copy => "CopyObject",
            Method::PUT => "PutObject",
            Method::POST if has("uploads") => "CreateMultipartUpload",
            Method::POST if has("uploadId") => "CompleteMultipartUpload",
            Method::DELETE if has("uploadId") => "AbortMultipartUpload",
            Method::DELETE => "DeleteObject",
            _ => "Unknown",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, uri: &str, headers: &[(&str, &str)]) -> String {
        let mut builder = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        operation_of(&builder.body(()).unwrap())
    }

    #[test]
    fn names_s3_identity_and_hosted_operations() {
        assert_eq!(
            op("GET", "/cubby?list-type=2&prefix=a", &[]),
            "ListObjectsV2"
        );
        assert_eq!(op("GET", "/cubby", &[]), "ListObjects");
        assert_eq!(op("PUT", "/cubby/us-east-1:x/a.txt", &[]), "PutObject");
        assert_eq!(
            op("PUT", "/cubby/k?partNumber=2&uploadId=u", &[]),
            "UploadPart"
        );
        assert_eq!(
            op("PUT", "/cubby/k", &[("x-amz-copy-source", "/cubby/j")]),
            "CopyObject"
        );
        assert_eq!(op("POST", "/cubby/k?uploads", &[]), "CreateMultipartUpload");
        assert_eq!(
            op("POST", "/cubby/k?uploadId=u", &[]),
            "CompleteMultipartUpload"
        );
        assert_eq!(
            op("DELETE", "/cubby/k?uploadId=u", &[]),
            "AbortMultipartUpload"
        );
        assert_eq!(op("POST", "/cubby?delete", &[]), "DeleteObjects");
        assert_eq!(op("GET", "/cubby/a/b/c", &[]), "GetObject");
        assert_eq!(
            op(
                "POST",
                "/",
                &[("x-amz-target", "AWSCognitoIdentityService.GetId")]
            ),
            "GetId"
        );
        assert_eq!(op("POST", "/oauth2/token", &[]), "Token");
    }
}
