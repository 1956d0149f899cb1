//! The small pages the loopback receiver shows in the browser tab.

/// A complete HTML page with a heading and one paragraph; both are escaped.
pub fn page(title: &str, message: &str) -> String {
    let title = html_escape::encode_text(title);
    let message = html_escape::encode_text(message);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cubby: {title}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}\
h1{{font-size:1.4rem}}</style></head>\
<body><h1>{title}</h1><p>{message}</p></body></html>\n"
    )
}

/// The page the browser shows once the sign-in reached Cubby.
pub fn signed_in() -> String {
    page(
        "Sign-in received",
        "Cubby has your sign-in. You can close this tab and return to Cubby.",
    )
}

/// The page the browser shows when the sign-in failed, saying why.
pub fn failed(message: &str) -> String {
    page(
        "Sign-in failed",
        &format!("{message}. You can close this tab."),
    )
}

/// The page for any other path on the listener.
pub fn not_found() -> String {
    page(
        "Nothing here",
        "This address only receives Cubby's sign-in answer.",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_messages() {
        let html = super::failed("<script>alert(1)</script>");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
