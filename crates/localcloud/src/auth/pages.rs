//! The hosted sign-in pages: plain HTML forms that work without JavaScript.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

const STYLE: &str = r#"
:root { color-scheme: light dark; --accent: #2563eb; --bg: #f5f7fb; --card: #fff; --fg: #111827; --muted: #4b5563; --border: #d1d5db; --error: #b91c1c; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f172a; --card: #1e293b; --fg: #f1f5f9; --muted: #cbd5e1; --border: #475569; --accent: #60a5fa; --error: #fca5a5; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
main { width: min(24rem, calc(100vw - 2rem)); background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.badge { display: inline-block; font-size: .75rem; border: 1px solid var(--border); border-radius: 999px; padding: 0 .5rem; color: var(--muted); }
p { color: var(--muted); margin: .5rem 0 1.25rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input { width: 100%; padding: .6rem .75rem; border: 1px solid var(--border); border-radius: 8px; font: inherit; background: transparent; color: inherit; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
button { width: 100%; margin-top: 1.5rem; padding: .7rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
.error { color: var(--error); font-weight: 600; }
.switch { margin-top: 1.25rem; text-align: center; }
a { color: var(--accent); }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Cubby</title><style>{STYLE}</style></head>\
<body><main>{body}</main></body></html>",
        title = text(title),
    )
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", text(e)))
        .unwrap_or_default()
}

/// The sign-in or sign-up form. `query` is the original authorize query, carried along.
pub fn credentials_form(signing_up: bool, query: &str, email: &str, error: Option<&str>) -> String {
    let (title, action, button, switch) = if signing_up {
        (
            "Create your account",
            "/signup",
            "Sign up",
            format!(
                "Already have an account? <a href=\"/login?{}\">Sign in</a>",
                attr(query)
            ),
        )
    } else {
        (
            "Sign in to Cubby",
            "/login",
            "Sign in",
            format!(
                "New here? <a href=\"/signup?{}\">Create an account</a>",
                attr(query)
            ),
        )
    };
    let password_hint = if signing_up {
        "<p id=\"password-hint\">At least 8 characters.</p>"
    } else {
        ""
    };
    page(
        title,
        &format!(
            "<h1>{title}</h1><span class=\"badge\">Local sandbox</span>\
<p>Your private folder, on this computer's sandbox.</p>{error}\
<form method=\"post\" action=\"{action}?{query}\">\
<label for=\"email\">Email</label>\
<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{email}\">\
<label for=\"password\">Password</label>\
<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"{autocomplete}\" required minlength=\"8\" aria-describedby=\"password-hint\">\
{password_hint}<button type=\"submit\">{button}</button></form>\
<p class=\"switch\">{switch}</p>",
            error = error_line(error),
            query = attr(query),
            email = attr(email),
            autocomplete = if signing_up {
                "new-password"
            } else {
                "current-password"
            },
        ),
    )
}

/// A page that explains a failure the app will never hear about (bad client or redirect).
pub fn error_page(error: &str, description: &str) -> String {
    page(
        "Sign-in error",
        &format!(
            "<h1>Something went wrong</h1><p class=\"error\" role=\"alert\">{}</p>\
<p>Error code: <code>{}</code>. Return to the app and try again; if it keeps happening, \
the app's profile does not match this server.</p>",
            text(description),
            text(error)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_escapes_what_it_echoes() {
        let html = credentials_form(false, "a=1&b=\"x\"", "<b>@x", Some("<script>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("value=\"&lt;b>@x\"") || html.contains("value=\"&lt;b&gt;@x\""));
        assert!(html.contains("action=\"/login?a=1&amp;b=&quot;x&quot;\""));
        assert!(html.contains("<label for=\"password\">"));
    }
}
