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

/// The answer to a callback without the `state` of the sign-in Cubby is waiting for.
pub fn not_this_sign_in() -> String {
    page(
        "Not this sign-in",
        "This answer does not belong to the sign-in Cubby is waiting for, so it was ignored. If you are signing in, finish in the tab Cubby opened.",
    )
}

/// The answer to a request that names another host than this computer's loopback address.
pub fn wrong_host() -> String {
    page(
        "Wrong address",
        "This port only answers requests to localhost.",
    )
}

/// The page the browser ends on after the hosted sign-out sent it back to Cubby.
pub fn signed_out() -> String {
    page(
        "Signed out",
        "You are signed out of Cubby. You can close this tab.",
    )
}

/// The answer to anything else that reaches the port.
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
