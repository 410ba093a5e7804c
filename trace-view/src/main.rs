//! The `trace-view` command: see `trace-view --help` and the crate docs.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::{Args, Parser, Subcommand, ValueEnum};
use trace_core::TraceId;
use trace_record::Trace;
use trace_view::input::Loaded;
use trace_view::list::{Filter, SortBy};
use trace_view::{html, list, perfetto, stats, tree};

/// Look at traces: list them, print a call tree, write an HTML waterfall or a Perfetto file,
/// or latency statistics. Reads YAML span files as `trace-record`'s YamlRecorder writes them.
#[derive(Parser, Debug)]
#[command(name = "trace-view", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// One line per trace: id, start, duration, spans, errors, services, root span.
    List {
        #[command(flatten)]
        input: Input,
        /// The order of the list.
        #[arg(long, value_enum, default_value = "start")]
        sort: Sort,
        /// Only traces with a span of this service.
        #[arg(long)]
        service: Option<String>,
        /// Only traces with a span whose name contains this text.
        #[arg(long)]
        name: Option<String>,
        /// Only traces with a failed span.
        #[arg(long)]
        errors: bool,
        /// Only traces lasting at least this long, e.g. `250ms`, `2s`.
        #[arg(long, value_parser = parse_duration)]
        min_duration: Option<Duration>,
        /// Only traces starting at or after this time: RFC 3339 (`2025-11-14T22:00:00Z`) or a
        /// duration ago (`15m`, `2h`).
        #[arg(long, value_parser = parse_since)]
        since: Option<SystemTime>,
    },
    /// The call tree of each trace, with durations and a time bar per span.
    Tree {
        #[command(flatten)]
        input: Input,
        /// Colour: `auto` uses it on a terminal (unless NO_COLOR is set).
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
    },
    /// One self-contained HTML page: a trace list and a waterfall per trace.
    Html {
        #[command(flatten)]
        input: Input,
        /// Where to write the page (`-` for stdout).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Chrome trace-event JSON for Perfetto UI and chrome://tracing.
    Perfetto {
        #[command(flatten)]
        input: Input,
        /// Where to write the JSON (`-` for stdout).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Per span name: count, error rate, p50, p90, p99, max and total duration.
    Stats {
        #[command(flatten)]
        input: Input,
    },
}

#[derive(Args, Debug)]
struct Input {
    /// YAML span files; `-` reads stdin.
    #[arg(value_name = "FILES")]
    #[cfg_attr(feature = "dynamodb", arg(required_unless_present = "dynamodb"))]
    #[cfg_attr(not(feature = "dynamodb"), arg(required = true))]
    files: Vec<PathBuf>,
    /// Only this trace (32 hex digits).
    #[arg(long, value_parser = parse_trace_id)]
    trace: Option<TraceId>,
    /// No progress bar, even on a terminal.
    #[arg(long)]
    no_progress: bool,
    /// Read the trace from this DynamoDB table instead of files (needs `--trace`); credentials
    /// and region come from the standard AWS chain.
    #[cfg(feature = "dynamodb")]
    #[arg(
        long,
        value_name = "TABLE",
        requires = "trace",
        conflicts_with = "files"
    )]
    dynamodb: Option<String>,
    /// The DynamoDB endpoint, e.g. a local DynamoDB-compatible server.
    #[cfg(feature = "dynamodb")]
    #[arg(long, requires = "dynamodb")]
    endpoint_url: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Sort {
    Start,
    Duration,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_trace_id(s: &str) -> Result<TraceId, String> {
    TraceId::from_hex(s).map_err(|e| format!("not a trace id: {e}"))
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| e.to_string())
}

fn parse_since(s: &str) -> Result<SystemTime, String> {
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Ok(t);
    }
    let ago = humantime::parse_duration(s)
        .map_err(|_| format!("`{s}` is neither an RFC 3339 time nor a duration such as `15m`"))?;
    SystemTime::now()
        .checked_sub(ago)
        .ok_or_else(|| format!("`{s}` ago is before the clock's epoch"))
}

/// Reading went wrong: say so and exit with status 1.
struct Failure(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("trace-view: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let input = match &cli.command {
        Command::List { input, .. } => input,
        Command::Tree { input, .. }
        | Command::Html { input, .. }
        | Command::Perfetto { input, .. }
        | Command::Stats { input } => input,
    };
    let (all_traces, failed) = load(input)?;
    // `--trace` narrows every view to one trace; the page only opens on it.
    let (traces, all_traces) = match input.trace {
        Some(id) => {
            let one: Vec<Trace> = all_traces
                .iter()
                .filter(|t| t.trace_id() == id)
                .cloned()
                .collect();
            if one.is_empty() {
                return Err(Failure(format!("trace {id} is not in the input")));
            }
            (one, Some(all_traces))
        }
        None => (all_traces, None),
    };
    match cli.command {
        Command::List {
            sort,
            service,
            name,
            errors,
            min_duration,
            since,
            ..
        } => {
            let filter = Filter {
                service,
                name,
                errors,
                min_duration,
                since,
            };
            let sort = match sort {
                Sort::Start => SortBy::Start,
                Sort::Duration => SortBy::Duration,
            };
            let summaries = list::summaries(&traces, &filter, sort);
            write_stdout(|out| list::write_list(out, &summaries))?;
        }
        Command::Tree { color, .. } => {
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            write_stdout(|out| {
                for (i, trace) in traces.iter().enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    tree::write_tree(out, trace, color)?;
                }
                Ok(())
            })?;
        }
        Command::Html { output, input } => {
            // The page keeps every trace in its list and opens on the chosen one.
            let traces = all_traces.unwrap_or(traces);
            write_output(&output, |out| html::write_html(out, &traces, input.trace))?;
        }
        Command::Perfetto { output, .. } => {
            write_output(&output, |out| perfetto::write_perfetto(out, &traces))?;
        }
        Command::Stats { .. } => {
            let stats = stats::by_name(traces.iter().flat_map(Trace::spans));
            write_stdout(|out| stats::write_stats(out, &stats))?;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Problems shown one by one before the rest are only counted.
const SHOWN_PROBLEMS: usize = 20;

/// Reads the input, reports what could not be read, and groups the spans into traces. Returns
/// whether some input failed altogether (not spans, unreadable).
fn load(input: &Input) -> Result<(Vec<Trace>, bool), Failure> {
    #[cfg(feature = "dynamodb")]
    if let Some(table) = &input.dynamodb {
        let spans = read_dynamodb(table, input.endpoint_url.as_deref(), input.trace)?;
        return Ok((Trace::group(spans), false));
    }
    let loaded = Loaded::read_paths(&input.files, !input.no_progress);
    for problem in loaded.problems.iter().take(SHOWN_PROBLEMS) {
        eprintln!("trace-view: {problem}");
    }
    if loaded.problems.len() > SHOWN_PROBLEMS {
        eprintln!(
            "trace-view: ... and {} more problems",
            loaded.problems.len() - SHOWN_PROBLEMS
        );
    }
    if !loaded.problems.is_empty() {
        eprintln!(
            "trace-view: warning: {} spans read; {} problems (bad documents were skipped)",
            loaded.spans.len(),
            loaded.problems.len()
        );
    }
    for source in &loaded.failed {
        eprintln!("trace-view: error: {source}: no spans could be read from it");
    }
    let failed = !loaded.failed.is_empty();
    Ok((Trace::group(loaded.spans), failed))
}

#[cfg(feature = "dynamodb")]
fn read_dynamodb(
    table: &str,
    endpoint: Option<&str>,
    trace: Option<TraceId>,
) -> Result<Vec<trace_core::SpanRecord>, Failure> {
    use trace_record::dynamodb::{DynamoDbConfig, read_trace};
    let trace = trace.ok_or_else(|| Failure("--dynamodb needs --trace ID".to_owned()))?;
    let mut config = DynamoDbConfig::new().table(table);
    if let Some(url) = endpoint {
        config = config.endpoint_url(url);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let client = config
            .client()
            .await
            .map_err(|e| Failure(format!("DynamoDB setup: {e}")))?;
        let spans = read_trace(&client, config.table_name(), trace)
            .await
            .map_err(|e| Failure(format!("reading trace {trace} from {table}: {e}")))?;
        if spans.is_empty() {
            return Err(Failure(format!("trace {trace} is not in table {table}")));
        }
        Ok(spans)
    })
}

fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // `trace-view tree f | head` is fine.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("writing to stdout: {e}"))),
    }
}

fn write_output(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        return write_stdout(write);
    }
    let file = File::create(path)
        .map_err(|e| Failure(format!("cannot create {}: {e}", path.display())))?;
    let mut out = BufWriter::new(file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| Failure(format!("writing {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
