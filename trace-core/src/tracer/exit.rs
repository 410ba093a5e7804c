//! Spans still queued when the process ends without dropping the tracer's guard.
//!
//! `std::process::exit` runs no destructors, so the guard's shutdown never happens: an `atexit`
//! handler delivers what is queued and flushes the recorders first. With `panic = "abort"`, a
//! panic hook does the same before the abort. A crash (SIGKILL, a segfault) can run nothing; the
//! recorders' scheduled flush bounds what it loses.

use std::sync::Once;
use std::sync::mpsc;

use crate::collector::Command;
use crate::collector::global;

static INSTALL: Once = Once::new();

/// Registers the exit handlers, once per process.
pub(crate) fn install_hooks() {
    INSTALL.call_once(|| {
        // SAFETY: `atexit` only stores the pointer to a function that lives for the whole program;
        // the function neither unwinds (it catches nothing that could panic: every step is
        // fallible and ignored) nor calls `exit`.
        let registered = unsafe { crate::c_library::atexit(flush_at_exit) } == 0;
        if !registered {
            eprintln!("trace-core: could not register the exit handler; spans queued at `process::exit` may be lost");
        }
        #[cfg(panic = "abort")]
        {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                previous(info);
                flush_installed();
            }));
        }
    });
}

extern "C" fn flush_at_exit() {
    // A panic must not unwind into C.
    let _ = std::panic::catch_unwind(flush_installed);
}

/// Delivers everything queued to the installed tracer's recorders (with the traces the tail rule
/// holds, decided now) and flushes them, waiting at most the tracer's shutdown timeout; says on
/// stderr what could not be delivered.
fn flush_installed() {
    let Some((_, shared)) = global::installed() else {
        return;
    };
    if std::thread::current().name() == Some(crate::collector::THREAD_NAME) {
        // A recorder is exiting the process: the collector cannot serve its own request.
        return;
    }
    let (done, wait) = mpsc::sync_channel(1);
    if shared.commands.send(Command::Exit(done)).is_err() {
        return;
    }
    match wait.recv_timeout(shared.exit_timeout) {
        Ok(0) => {}
        Ok(lost) => eprintln!("trace-core: at exit, the recorders lost {lost} spans"),
        Err(_) => eprintln!(
            "trace-core: at exit, the recorders did not finish within {:?}; spans still queued are lost",
            shared.exit_timeout
        ),
    }
}
