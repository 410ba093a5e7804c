//! Compile-fail and compile-pass cases for the macros, run by trybuild (`tests/ui.rs`).
//!
//! The library itself is the lint fixture: every shape `#[traced]` and `trace!` support, compiled
//! with `#![deny(warnings)]` here and under clippy's pedantic, nursery and restriction groups by
//! `scripts/checks/macro-lints.sh`. Any lint the expansion triggered would fail that check.

#![deny(warnings)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use trace_core::{trace, traced};

/// A value recorded through `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserId(pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user-{}", self.0)
    }
}

/// A value recorded through `Debug` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Line items.
    pub items: Vec<u32>,
}

/// An error with `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// A plain function.
#[traced]
#[must_use]
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// One-line body, every argument.
///
/// # Errors
/// When the total overflows.
#[traced(name = "checkout", kind = server, args(user, order), tags(http.method = "POST", items = order.items.len()), err, ret)]
pub fn checkout(user: UserId, order: &Order) -> Result<u32, Failure> {
    order
        .items
        .iter()
        .copied()
        .try_fold(0_u32, u32::checked_add)
        .ok_or_else(|| Failure(format!("{user}: overflow")))
}

/// Early `return` and `?` with `err` and `ret`.
///
/// # Errors
/// When `input` is not a number or is zero.
#[traced(err, ret)]
pub fn parse_positive(input: &str) -> Result<u32, Failure> {
    let n: u32 = input
        .trim()
        .parse()
        .map_err(|e: std::num::ParseIntError| Failure(e.to_string()))?;
    if n == 0 {
        return Err(Failure("zero".to_owned()));
    }
    Ok(n)
}

/// `?` on an `Option`, with `ret`.
#[traced(ret)]
#[must_use]
pub fn first_even(values: &[u32]) -> Option<u32> {
    let first = values.first()?;
    Some(first * 2)
}

/// `err(Debug)` on a boxed error, with a `?` that converts.
///
/// # Errors
/// When `input` is not a number.
#[traced(err(Debug))]
pub fn parse_boxed(input: &str) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(input.parse::<i64>()?)
}

/// `#[track_caller]` keeps reporting the caller.
#[traced(err)]
#[track_caller]
///
/// # Errors
/// Never; returns where it was called from.
pub fn caller_line() -> Result<u32, Failure> {
    Ok(std::panic::Location::caller().line())
}

/// Inner attributes and shadowed parameters.
#[traced(args(n))]
#[must_use]
pub fn shadowed(n: u64) -> u64 {
    #![allow(clippy::let_and_return, reason = "the test is about inner attributes")]
    let n = n + 1;
    n
}

/// Destructured parameters, `impl Trait` argument and return.
#[traced(args(a, label))]
pub fn destructured((a, _b): (u8, u8), label: impl fmt::Display) -> impl fmt::Display {
    format!("{label}={a}")
}

/// Generic with lifetimes and a where clause.
#[traced(args(key, a), ret)]
pub fn longest<'a, K>(key: &K, a: &'a str, b: &'a str) -> &'a str
where
    K: fmt::Debug + ?Sized,
{
    if a.len() >= b.len() || format!("{key:?}").is_empty() {
        a
    } else {
        b
    }
}

/// `unsafe fn`.
///
/// # Safety
/// `ptr` must be valid for reads.
#[traced]
#[must_use]
pub unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid for reads.
    unsafe { *ptr }
}

/// `extern "C" fn`.
#[must_use]
#[traced(root)]
pub extern "C" fn callback(code: i32) -> i32 {
    code * 2
}

/// `async fn` with `err` and `ret`.
///
/// # Errors
/// When `n` is zero.
#[traced(kind = client, args(n), err, ret)]
pub async fn fetch(n: u32) -> Result<u32, Failure> {
    let doubled = trace!("double", async move { n * 2 }).await;
    if doubled == 0 {
        return Err(Failure("nothing".to_owned()));
    }
    Ok(doubled)
}

/// A function returning `impl Future` built by a final `async move` block.
#[traced(args(n), ret)]
pub fn later(n: u32) -> impl Future<Output = u32> + Send {
    let base = n + 1;
    async move { base * 10 }
}

/// A function returning a boxed future (the shape `async-trait` generates).
#[must_use]
#[traced(err)]
pub fn boxed(n: u32) -> Pin<Box<dyn Future<Output = Result<u32, Failure>> + Send>> {
    Box::pin(async move {
        if n == 0 {
            return Err(Failure("zero".to_owned()));
        }
        Ok(n)
    })
}

/// A service with methods of every receiver kind.
#[derive(Debug, Default)]
pub struct Service {
    /// Calls so far.
    calls: u32,
}

impl Service {
    /// Associated function mentioning `Self`.
    #[traced]
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `&self`.
    #[traced(args(self))]
    #[must_use]
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// `&mut self`.
    #[traced(ret)]
    pub fn bump(&mut self) -> u32 {
        self.calls += 1;
        self.calls
    }

    /// `self`.
    #[traced]
    #[must_use]
    pub fn into_calls(self) -> u32 {
        self.calls
    }

    /// `self: Box<Self>`.
    #[expect(clippy::boxed_local, reason = "the test is about this receiver")]
    #[traced]
    #[must_use]
    pub fn boxed_calls(self: Box<Self>) -> u32 {
        self.calls
    }

    /// `self: Pin<&mut Self>`, async.
    #[traced]
    pub async fn pinned(self: Pin<&mut Self>) -> u32 {
        self.calls
    }
}

/// A trait with a default method, a native async method and an `async-trait` method.
pub trait Store {
    /// Default method.
    #[traced(ret)]
    fn describe(&self) -> String {
        "store".to_owned()
    }

    /// Native async fn in a trait.
    fn load(&self, key: u32) -> impl Future<Output = Option<u32>> + Send;
}

impl Store for Service {
    #[traced(args(key))]
    async fn load(&self, key: u32) -> Option<u32> {
        Some(key + self.calls)
    }
}

/// An `async-trait` trait.
#[async_trait::async_trait]
pub trait Repo {
    /// Loads a row.
    async fn row(&self, id: u32) -> Result<u32, Failure>;
}

#[async_trait::async_trait]
impl Repo for Service {
    #[traced(args(id), err, ret)]
    async fn row(&self, id: u32) -> Result<u32, Failure> {
        if id == 0 {
            return Err(Failure("no row 0".to_owned()));
        }
        Ok(id + self.calls)
    }
}

/// The span name as a constant.
pub const IMPORT: &str = "import";

/// Every `trace!` form.
///
/// # Errors
/// When a row is zero.
pub fn import(rows: &[u32]) -> Result<usize, Failure> {
    trace!(IMPORT);
    trace!("scan", kind = internal, tags(rows = rows.len()));
    let valid = trace!("validate", { rows.iter().filter(|r| **r > 0).count() });
    trace!("check", err, {
        if valid == rows.len() {
            Ok(valid)
        } else {
            Err(Failure("zero row".to_owned()))
        }
    })
}

/// Runs a future that never waits on anything external to completion (the pass cases' futures
/// only suspend on `async` calls that are ready at once), polling with a no-op waker.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    loop {
        if let core::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
