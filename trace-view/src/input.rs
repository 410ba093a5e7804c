//! Reading spans: YAML files or stdin, streaming and tolerant, with a progress bar on a terminal.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trace_core::SpanRecord;
use trace_record::yaml;

/// Inputs at least this large get a progress bar (when stderr is a terminal).
const PROGRESS_FROM_BYTES: u64 = 8 << 20;

/// Something wrong in the input: a document that is not a span, a torn last document, a file
/// that cannot be opened. Reading goes on past it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or `-` for stdin) it was found in.
    pub source: String,
    /// The 1-based line where the bad document starts, when it is one.
    pub line: Option<u64>,
    /// What is wrong, e.g. `span at line 12 is torn: ...`.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// Everything read from the inputs: the spans, and what could not be read.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every span read, in input order.
    pub spans: Vec<SpanRecord>,
    /// Every problem found, in input order.
    pub problems: Vec<Problem>,
    /// The inputs that yielded no span although they were not empty: not span files at all
    /// (random bytes, a log...), or not readable. A caller treats these as errors.
    pub failed: Vec<String>,
}

impl Loaded {
    /// Reads every path in turn; `-` is stdin.
    pub fn read_paths(paths: &[impl AsRef<Path>], progress: bool) -> Self {
        let mut loaded = Self::default();
        for path in paths {
            let path = path.as_ref();
            let name = path.display().to_string();
            if name == "-" {
                loaded.read_stream("-", io::stdin().lock(), None, progress);
                continue;
            }
            match File::open(path) {
                Ok(file) => {
                    let len = file.metadata().ok().map(|m| m.len());
                    loaded.read_stream(&name, file, len, progress);
                }
                Err(e) => {
                    loaded.problems.push(Problem {
                        source: name.clone(),
                        line: None,
                        message: format!("cannot open: {e}"),
                    });
                    loaded.failed.push(name);
                }
            }
        }
        loaded
    }

    /// Reads one stream of YAML documents named `source`; `len` (when known) sizes the progress
    /// bar, shown only when `progress` is set, stderr is a terminal and the input is large.
    pub fn read_stream(
        &mut self,
        source: &str,
        input: impl Read,
        len: Option<u64>,
        progress: bool,
    ) {
        let bar = progress_bar(source, len, progress);
        let counted = Counted {
            inner: input,
            bar: &bar,
        };
        let before = self.spans.len();
        let mut problems = 0;
        for result in yaml::read_spans(counted) {
            match result {
                Ok(span) => self.spans.push(span),
                Err(e) => {
                    problems += 1;
                    self.problems.push(Problem {
                        source: source.to_owned(),
                        line: Some(e.line()),
                        message: e.to_string(),
                    });
                }
            }
        }
        bar.finish_and_clear();
        if self.spans.len() == before && problems > 0 {
            self.failed.push(source.to_owned());
        }
    }
}

fn progress_bar(source: &str, len: Option<u64>, wanted: bool) -> ProgressBar {
    let show =
        wanted && io::stderr().is_terminal() && len.is_none_or(|len| len >= PROGRESS_FROM_BYTES);
    if !show {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if len.is_some() {
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})"
    } else {
        "{msg} {spinner} {bytes}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(format!("reading {source}"));
    bar
}

/// Counts the bytes read into the progress bar.
struct Counted<'a, R> {
    inner: R,
    bar: &'a ProgressBar,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_spans_is_failed_and_an_empty_one_is_not() {
        let mut loaded = Loaded::default();
        loaded.read_stream("garbage", &[0xffu8, 0xfe, b'\n', 0, 1][..], None, false);
        loaded.read_stream("empty", &b""[..], None, false);
        assert_eq!(loaded.failed, ["garbage"]);
        assert_eq!(loaded.problems.len(), 1);
        assert!(
            loaded.problems[0].to_string().starts_with("garbage:1: "),
            "{}",
            loaded.problems[0]
        );
    }

    #[test]
    fn a_missing_file_is_a_problem_not_a_panic() {
        let loaded = Loaded::read_paths(&["/nonexistent/trace.yaml"], false);
        assert_eq!(loaded.failed, ["/nonexistent/trace.yaml"]);
        assert!(loaded.problems[0].message.contains("cannot open"));
    }
}
