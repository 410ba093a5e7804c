//! `trace-view html`: one self-contained page with a trace list and a waterfall per trace.
//!
//! The page's script (`page.js`) and style (`page.css`) are inlined, and the spans go in as JSON
//! inside a `<script type="application/json">` element. Span names, tags and errors come from
//! requests, so they are data, never markup:
//!
//! - the JSON escapes `<`, `>` and `&` (and U+2028/U+2029), so no text in it can close the
//!   element (`</script>`) or open a comment, whatever a name holds;
//! - the script only ever puts data into the page with `textContent`, never as HTML;
//! - a Content-Security-Policy allows nothing but this page's own script and style (by hash):
//!   no network request, and no other script even if one got in.

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trace_core::TraceId;
use trace_record::Trace;

use crate::analysis::{analyze, tag_pairs};
use crate::format;
use crate::list::Summary;
use crate::perfetto::tag_json;

const TEMPLATE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// Writes the page for `traces`, opened on `selected` (default: the first trace).
pub fn write_html(
    out: &mut (impl Write + ?Sized),
    traces: &[Trace],
    selected: Option<TraceId>,
) -> io::Result<()> {
    let selected = selected
        .and_then(|id| traces.iter().position(|t| t.trace_id() == id))
        .unwrap_or(0);
    let data = page_data(traces, selected);
    let mut json = Vec::with_capacity(traces.iter().map(Trace::len).sum::<usize>() * 200);
    serde_json::to_writer(&mut json, &data)?;
    let json = String::from_utf8(json).map_err(io::Error::other)?;

    let csp = format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        sha256_source(SCRIPT),
        sha256_source(STYLE)
    );
    let title = match traces.get(selected) {
        Some(t) => format!("trace {}", t.trace_id()),
        None => "no traces".to_owned(),
    };
    // The template's placeholders are filled in one pass, so a placeholder's text inside the
    // data is never itself replaced.
    let mut rest = TEMPLATE;
    while let Some(at) = rest.find("{{") {
        out.write_all(&rest.as_bytes()[..at])?;
        let end = at
            + rest[at..]
                .find("}}")
                .ok_or_else(|| io::Error::other("template"))?;
        match &rest[at + 2..end] {
            "CSP" => out.write_all(csp.as_bytes())?,
            "TITLE" => out.write_all(title.as_bytes())?,
            "STYLE" => out.write_all(STYLE.as_bytes())?,
            "SCRIPT" => out.write_all(SCRIPT.as_bytes())?,
            "DATA" => write_escaped_json(out, &json)?,
            other => return Err(io::Error::other(format!("unknown placeholder {other}"))),
        }
        rest = &rest[end + 2..];
    }
    out.write_all(rest.as_bytes())
}

/// JSON that is inert inside a `<script>` element: characters HTML (or an old JavaScript
/// parser) would see are `\u` escapes. They can only occur inside JSON strings, where the
/// escape reads back as the same character.
fn write_escaped_json(out: &mut (impl Write + ?Sized), json: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in json.char_indices() {
        let escape = match c {
            '<' => "\\u003c",
            '>' => "\\u003e",
            '&' => "\\u0026",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            _ => continue,
        };
        out.write_all(&json.as_bytes()[start..i])?;
        out.write_all(escape.as_bytes())?;
        start = i + c.len_utf8();
    }
    out.write_all(&json.as_bytes()[start..])
}

/// `'sha256-…'` for a Content-Security-Policy.
fn sha256_source(text: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page's data. Each trace: its summary, services, spans as arrays (compact for 100k
/// spans; field order in `page.js`'s `S` constants; names, kinds, processes and code locations
/// as indices into the trace's `strings`), and its rows as flat triples
/// `[span or -1, depth, subtree end]`. Times are nanoseconds from the trace's start.
fn page_data(traces: &[Trace], selected: usize) -> Value {
    let traces: Vec<Value> = traces.iter().map(trace_data).collect();
    json!({ "selected": selected, "traces": traces })
}

fn trace_data(trace: &Trace) -> Value {
    let summary = Summary::of(trace);
    let analysis = analyze(trace);
    let services = summary.services.clone();
    let mut strings = Strings::default();
    let spans: Vec<Value> = trace
        .spans()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let flags = u8::from(analysis.critical[i])
                | u8::from(analysis.outside_parent[i]) << 1
                | u8::from(analysis.orphan[i]) << 2
                | u8::from(s.status.is_error()) << 3;
            let tags: Vec<Value> = tag_pairs(s).map(|(k, v)| json!([k, tag_json(v)])).collect();
            let checkpoints: Vec<Value> = s
                .checkpoints
                .iter()
                .map(|c| json!([c.name, c.offset.as_nanos() as u64]))
                .collect();
            let links: Vec<Value> = s
                .links
                .iter()
                .map(|l| json!([l.trace_id.to_string(), l.span_id.to_string()]))
                .collect();
            let code = s.code.as_ref().map(|c| match &c.module {
                Some(m) => format!("{}:{} ({m})", c.file, c.line),
                None => format!("{}:{}", c.file, c.line),
            });
            json!([
                s.span_id.to_string(),
                s.parent_id.map(|p| p.to_string()),
                strings.index(&s.name),
                strings.index(s.kind.as_str()),
                services.iter().position(|x| **x == *s.service).unwrap_or(0),
                strings.index(&s.process.to_string()),
                format::offset_nanos(summary.start, s.start),
                s.duration.as_nanos() as u64,
                flags,
                s.status.error_message(),
                tags,
                checkpoints,
                links,
                code.map_or(-1, |c| strings.index(&c) as i64),
            ])
        })
        .collect();
    let mut rows = Vec::with_capacity(analysis.rows.len() * 3);
    for r in &analysis.rows {
        rows.push(r.span.map_or(-1, |i| i as i64));
        rows.push(r.depth as i64);
        rows.push(r.end as i64);
    }
    json!({
        "id": summary.trace_id.to_string(),
        "root": summary.root,
        "start": format::time(summary.start),
        "duration": summary.duration.as_nanos() as u64,
        "errors": summary.errors,
        "missing": summary.missing,
        "services": services,
        "strings": strings.list,
        "spans": spans,
        "rows": rows,
    })
}

/// A table of the distinct strings of a trace.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Strings {
    fn index(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_owned());
        self.index.insert(s.to_owned(), self.list.len() - 1);
        self.list.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, trace_of};

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (raw, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_page_says_how_many_spans_a_trace_misses() {
        let mut root = at("checkout", None, 0, 10);
        root.tags.set(trace_core::TRACE_INCOMPLETE_TAG, 4);
        let mut page = Vec::new();
        write_html(&mut page, &[trace_of(vec![root])], None).unwrap();
        let page = String::from_utf8(page).unwrap();
        let data_start = page.find("id=\"trace-data\">").unwrap() + "id=\"trace-data\">".len();
        let data_end = data_start + page[data_start..].find("</script>").unwrap();
        let value: Value = serde_json::from_str(&page[data_start..data_end]).unwrap();
        assert_eq!(value["traces"][0]["missing"], 4);
        assert!(page.contains("spans missing"), "the script shows it");
    }

    #[test]
    fn names_and_tags_cannot_close_the_data_element() {
        let mut root = at("</script><script>alert(1)</script>", None, 0, 10);
        root.tags.set("<b>", "&amp; \u{2028} <!-- </SCRIPT >");
        let trace = trace_of(vec![root]);
        let mut page = Vec::new();
        write_html(&mut page, &[trace], None).unwrap();
        let page = String::from_utf8(page).unwrap();
        let data_start = page.find("id=\"trace-data\">").unwrap();
        let data_end = data_start + page[data_start..].find("</script>").unwrap();
        let data = &page[data_start + "id=\"trace-data\">".len()..data_end];
        assert!(!data.contains(['<', '>', '&', '\u{2028}']), "{data}");
        // It is still the same JSON.
        let value: Value = serde_json::from_str(data).unwrap();
        let trace = &value["traces"][0];
        let name = trace["spans"][0][2].as_u64().unwrap() as usize;
        assert_eq!(trace["strings"][name], "</script><script>alert(1)</script>");
        assert_eq!(
            value["traces"][0]["spans"][0][10][0][1],
            "&amp; \u{2028} <!-- </SCRIPT >"
        );
        // Exactly the page's own two script elements, and a policy allowing only its script.
        assert_eq!(page.matches("<script").count(), 2);
        assert!(page.contains(&sha256_source(SCRIPT)));
        assert!(page.contains("default-src 'none'"));
    }
}
