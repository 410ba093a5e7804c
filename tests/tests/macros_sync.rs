//! `#[traced]` on sync functions and `trace!`, checked by reading the recorded spans back.

mod macros_support;

use std::fmt;

use macros_support::{assert_child, assert_within, int, record, tag, text};
use trace_core::{SpanKind, Status, TagValue, trace, traced};

#[derive(Debug, Clone, PartialEq)]
struct Failure(String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failure: {}", self.0)
    }
}

#[derive(Debug)]
#[allow(dead_code)] // read through `Debug` only
struct OnlyDebug {
    id: u8,
}

struct Shown;
impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("shown")
    }
}

#[traced]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

mod db {
    use trace_core::traced;

    #[traced(kind = client)]
    pub fn load(id: u32) -> u32 {
        super::add(id, 1)
    }
}

#[test]
fn free_functions_are_named_module_function_and_nest() {
    let (value, spans) = record(|| db::load(41));
    assert_eq!(value, 42);
    spans.check(&[], |s| {
        let load = s.named("db::load");
        let add = s.named("macros_sync::add");
        assert_eq!(load.kind, SpanKind::Client);
        assert_eq!(add.kind, SpanKind::Internal);
        assert_eq!(load.parent_id, None);
        assert_child(add, load);
        assert_within(add, load);
        assert!(add.tags.is_empty(), "nothing recorded without `args`");
        let code = load.code.as_ref().unwrap();
        assert!(code.file.ends_with("macros_sync.rs"));
    });
}

#[traced(name = "checkout", kind = server, args(user, count, label, shown, debug), tags(http.method = "POST", total = count * 2))]
fn checkout(user: &str, count: u64, label: String, shown: Shown, debug: &OnlyDebug) -> usize {
    // Used here too, so compiling the macros out (`macros-off`) leaves nothing unused.
    let _ = (shown, debug, count);
    user.len() + label.len()
}

#[test]
fn args_and_tags_are_recorded_typed_then_display_then_debug() {
    let (value, spans) =
        record(|| checkout("ann", 3, "gift".to_owned(), Shown, &OnlyDebug { id: 7 }));
    assert_eq!(value, 7);
    spans.check(&[], |s| {
        let span = s.named("checkout");
        assert_eq!(span.kind, SpanKind::Server);
        assert_eq!(tag(span, "user"), text("ann"));
        assert_eq!(tag(span, "count"), int(3));
        assert_eq!(tag(span, "label"), text("gift"));
        assert_eq!(tag(span, "shown"), text("shown"));
        assert_eq!(tag(span, "debug"), text("OnlyDebug { id: 7 }"));
        assert_eq!(tag(span, "http.method"), text("POST"));
        assert_eq!(tag(span, "total"), int(6));
    });
}

#[traced(err, ret)]
fn parse_positive(input: &str) -> Result<u32, Failure> {
    let n: u32 = input
        .parse()
        .map_err(|_| Failure(format!("not a number: {input}")))?;
    if n == 0 {
        return Err(Failure("zero".to_owned()));
    }
    Ok(n)
}

#[test]
fn err_and_ret_see_the_tail_an_early_return_and_question_mark() {
    let (values, spans) = record(|| {
        (
            parse_positive("5"),
            parse_positive("0"),
            parse_positive("x"),
        )
    });
    assert_eq!(values.0, Ok(5));
    assert_eq!(values.1, Err(Failure("zero".to_owned())));
    assert_eq!(values.2, Err(Failure("not a number: x".to_owned())));
    spans.check(&[], |s| {
        let calls = s.all_named("macros_sync::parse_positive");
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0].status, Status::Ok);
        assert_eq!(tag(calls[0], "ret"), int(5));
        assert_eq!(calls[1].status, Status::Error("failure: zero".into()));
        assert_eq!(
            tag(calls[1], "ret"),
            None,
            "with `err`, `ret` is the Ok value"
        );
        assert_eq!(
            calls[2].status,
            Status::Error("failure: not a number: x".into())
        );
    });
}

#[derive(Debug)]
#[allow(dead_code)] // read through `Debug` only
struct Code(u16);

#[traced(err(Debug))]
fn status(code: u16) -> Result<u16, Code> {
    if code >= 400 {
        Err(Code(code))
    } else {
        Ok(code)
    }
}

#[traced(ret)]
fn first_double(values: &[u32]) -> Option<u32> {
    let first = values.first()?;
    Some(first * 2)
}

#[traced(ret)]
fn whole(ok: bool) -> Result<u8, String> {
    if ok { Ok(1) } else { Err("no".to_owned()) }
}

#[test]
fn err_debug_option_question_mark_and_ret_without_err() {
    let (values, spans) = record(|| {
        (
            status(404),
            status(200),
            first_double(&[]),
            first_double(&[4]),
            whole(false),
        )
    });
    assert!(values.0.is_err());
    assert_eq!(values.1.unwrap(), 200);
    assert_eq!((values.2, values.3), (None, Some(8)));
    assert_eq!(values.4, Err("no".to_owned()));
    spans.check(&[], |s| {
        let st = s.all_named("macros_sync::status");
        assert_eq!(st[0].status, Status::Error("Code(404)".into()));
        assert_eq!(st[1].status, Status::Ok);
        let fd = s.all_named("macros_sync::first_double");
        assert_eq!(tag(fd[0], "ret"), text("None"), "the `?` exit is recorded");
        assert_eq!(tag(fd[1], "ret"), text("Some(8)"));
        let w = s.named("macros_sync::whole");
        assert_eq!(tag(w, "ret"), text("Err(\"no\")"));
        assert_eq!(
            w.status,
            Status::Ok,
            "without `err` the status is untouched"
        );
    });
}

#[derive(Debug, Default)]
struct Service {
    calls: u32,
}

impl Service {
    #[traced]
    fn new() -> Self {
        Self::default()
    }

    #[traced(args(self), ret)]
    fn bump(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }

    #[traced]
    fn into_calls(self) -> u32 {
        self.calls
    }

    #[allow(clippy::boxed_local)] // the receiver shape is what is tested
    #[traced]
    fn boxed(self: Box<Self>) -> u32 {
        self.calls
    }

    #[traced(name = "helper")]
    fn helper(n: u32) -> u32 {
        n
    }
}

#[derive(Debug)]
struct Generic<T>(T);

impl<T: fmt::Debug> Generic<T> {
    #[traced(args(self))]
    fn show(&self) -> String {
        format!("{:?}", self.0)
    }
}

trait Describe {
    #[traced(ret)]
    fn describe(&self) -> &'static str {
        "default"
    }
}

struct Alpha;
struct Beta;
impl Describe for Alpha {}
impl Describe for Beta {}

#[test]
fn methods_are_named_type_method_for_every_receiver() {
    let (values, spans) = record(|| {
        let mut svc = Service::new();
        let bumped = svc.bump();
        let calls = svc.into_calls();
        let boxed = Box::new(Service { calls: 9 }).boxed();
        let g8 = Generic(8u8).show();
        let gs = Generic("s").show();
        let d = (Alpha.describe(), Beta.describe(), Alpha.describe());
        (bumped, calls, boxed, Service::helper(3), g8, gs, d)
    });
    assert_eq!(
        values,
        (
            1,
            1,
            9,
            3,
            "8".to_owned(),
            "\"s\"".to_owned(),
            ("default", "default", "default")
        )
    );
    spans.check(&[], |s| {
        s.named("Service::new");
        let bump = s.named("Service::bump");
        assert_eq!(tag(bump, "self"), text("Service { calls: 0 }"));
        assert_eq!(tag(bump, "ret"), int(1));
        s.named("Service::into_calls");
        s.named("Service::boxed");
        s.named("helper");
        assert_eq!(s.all_named("Generic::show").len(), 2);
        assert_eq!(s.all_named("Alpha::describe").len(), 2);
        assert_eq!(s.all_named("Beta::describe").len(), 1);
    });
}

#[traced(args(key), ret)]
fn longest<'a, K>(key: &K, a: &'a str, b: &'a str) -> &'a str
where
    K: fmt::Debug + ?Sized,
{
    if a.len() >= b.len() || format!("{key:?}").is_empty() {
        a
    } else {
        b
    }
}

#[traced(args(a, label))]
fn destructured((a, _b): (u8, u8), label: impl fmt::Display) -> impl fmt::Display {
    format!("{label}={a}")
}

/// # Safety
/// `ptr` must be valid.
#[traced]
unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *ptr }
}

#[traced(root)]
extern "C" fn callback(code: i32) -> i32 {
    code * 2
}

#[traced(args(n))]
fn shadowed(n: u64) -> u64 {
    #![allow(clippy::let_and_return)]
    let n = n + 1;
    n
}

#[test]
fn generic_impl_trait_unsafe_extern_and_shadowed_functions() {
    let x = 5u32;
    let (values, spans) = record(|| {
        let _outer = trace_core::span("outer").enter();
        (
            longest("k", "abc", "de"),
            destructured((1, 2), "n").to_string(),
            // SAFETY: `x` lives on the stack for the call.
            unsafe { read(&raw const x) },
            callback(21),
            shadowed(1),
        )
    });
    assert_eq!(values, ("abc", "n=1".to_owned(), 5, 42, 2));
    spans.check(&["outer"], |s| {
        let outer = s.named("outer");
        let l = s.named("macros_sync::longest");
        assert_child(l, outer);
        assert_eq!(tag(l, "key"), text("\"k\""));
        assert_eq!(tag(l, "ret"), text("abc"));
        let d = s.named("macros_sync::destructured");
        assert_eq!((tag(d, "a"), tag(d, "label")), (int(1), text("n")));
        assert_child(s.named("macros_sync::read"), outer);
        let cb = s.named("macros_sync::callback");
        assert_eq!(cb.parent_id, None, "`root` starts a new trace");
        assert_ne!(cb.trace_id, outer.trace_id);
        assert_eq!(tag(s.named("macros_sync::shadowed"), "n"), int(1));
    });
}

#[traced(err)]
#[track_caller]
fn caller_line() -> Result<u32, Failure> {
    Ok(std::panic::Location::caller().line())
}

#[test]
fn track_caller_still_reports_the_caller() {
    let ((line, expected), spans) = record(|| (caller_line(), line!()));
    assert_eq!(line, Ok(expected));
    spans.check(&[], |s| {
        s.named("macros_sync::caller_line");
    });
}

#[allow(dead_code)] // only `trace!` uses it, and not when compiled out (`macros-off`)
const IMPORT: &str = "import";

fn import(rows: &[u32]) -> Result<usize, Failure> {
    trace!(IMPORT);
    trace!("scan", kind = producer, tags(rows = rows.len()));
    let valid = trace!("validate", { rows.iter().filter(|r| **r > 0).count() });
    trace!("check", err, {
        if valid == rows.len() {
            Ok(valid)
        } else {
            Err(Failure("zero row".to_owned()))
        }
    })
}

#[test]
fn trace_scope_block_and_err_forms() {
    let (values, spans) = record(|| {
        let a = import(&[1, 2]);
        let b = import(&[1, 0]);
        (a, b)
    });
    assert_eq!(values.0, Ok(2));
    assert_eq!(values.1, Err(Failure("zero row".to_owned())));
    spans.check(&[], |s| {
        let imports = s.all_named("import");
        let scans = s.all_named("scan");
        let validates = s.all_named("validate");
        let checks = s.all_named("check");
        assert_eq!(imports.len(), 2);
        for i in 0..2 {
            // The scope form lasts to the end of the function; the second opens inside the first.
            assert_child(scans[i], imports[i]);
            assert_child(validates[i], scans[i]);
            assert_child(checks[i], scans[i]);
            assert_within(checks[i], imports[i]);
        }
        assert_eq!(scans[0].kind, SpanKind::Producer);
        assert_eq!(tag(scans[0], "rows"), int(2));
        assert_eq!(checks[0].status, Status::Ok);
        assert_eq!(checks[1].status, Status::Error("failure: zero row".into()));
    });
}

#[traced(err)]
fn panics() -> Result<(), Failure> {
    panic!("expected by the test")
}

#[test]
fn a_panic_ends_the_span_as_failed() {
    let (result, spans) = record(|| std::panic::catch_unwind(panics));
    assert!(result.is_err());
    spans.check(&[], |s| {
        assert_eq!(
            s.named("macros_sync::panics").status,
            Status::Error("panicked".into())
        );
    });
}

#[test]
fn nothing_is_recorded_without_a_tracer() {
    // The functions still behave; the disabled path is what the overhead bench measures.
    assert_eq!(add(1, 2), 3);
    assert_eq!(parse_positive("0"), Err(Failure("zero".to_owned())));
    assert_eq!(import(&[3]), Ok(1));
    assert_eq!(TagValue::from(1u8), TagValue::Int(1));
}
