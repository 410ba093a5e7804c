//! The two functions of the C library that trace-core calls, declared here rather than through the
//! `libc` crate: the standard library links the C library already, and these two signatures are
//! the same on every platform std supports, so the declarations cost nothing to build while the
//! `libc` crate (and its build script) was the largest crate of the runtime's dependency tree.

use std::ffi::{c_char, c_int};

unsafe extern "C" {
    /// `atexit(3)`: runs `callback` when the process exits through `exit`. Returns 0 on success.
    pub(crate) fn atexit(callback: extern "C" fn()) -> c_int;
}

#[cfg(unix)]
unsafe extern "C" {
    /// `gethostname(2)`: writes the host name, NUL-terminated if it fits, into `name[..len]`.
    /// Returns 0 on success.
    pub(crate) fn gethostname(name: *mut c_char, len: usize) -> c_int;
}
