//! Server span names and routes as `&'static str`, so a request on a known route allocates
//! neither its span name (`GET /users/{id}`) nor its `http.route` tag.
//!
//! A route template comes from the application's router, so there are few of them: each
//! (method, route) pair is formatted once, leaked, and kept for the life of the process in a global
//! table (at most [`MAX_ROUTES`] pairs; past that, requests allocate their names as before). Each
//! thread keeps the pairs it has met in a small list of its own, so the common case reads no lock.

use std::cell::RefCell;
use std::sync::Mutex;

use http::Method;

/// Pairs kept process-wide; a bound so that a router with unbounded routes cannot grow memory.
pub(crate) const MAX_ROUTES: usize = 1024;
/// Pairs each thread remembers without the global lock.
const THREAD_ROUTES: usize = 64;

/// The static strings of one (method, route) pair.
#[derive(Debug)]
pub(crate) struct RouteNames {
    method: &'static str,
    /// The route template, `/users/{id}`.
    pub(crate) route: &'static str,
    /// The span name, `GET /users/{id}`.
    pub(crate) name: &'static str,
}

static GLOBAL: Mutex<Vec<&'static RouteNames>> = Mutex::new(Vec::new());

thread_local! {
    static LOCAL: RefCell<Vec<&'static RouteNames>> = const { RefCell::new(Vec::new()) };
}

/// The method's name, borrowed for the standard methods (an extension method allocates).
pub(crate) fn method_name(method: &Method) -> Option<&'static str> {
    Some(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => return None,
    })
}

fn find(list: &[&'static RouteNames], method: &str, route: &str) -> Option<&'static RouteNames> {
    list.iter()
        .copied()
        .find(|n| n.route == route && n.method == method)
}

/// The static names of `method` on `route`, made on first use; `None` for an extension method or
/// once [`MAX_ROUTES`] pairs exist.
pub(crate) fn route_names(method: &'static str, route: &str) -> Option<&'static RouteNames> {
    let local = LOCAL
        .try_with(|l| find(&l.borrow(), method, route))
        .ok()
        .flatten();
    if local.is_some() {
        return local;
    }
    let found = {
        let mut global = GLOBAL.lock().unwrap_or_else(|p| p.into_inner());
        match find(&global, method, route) {
            Some(n) => n,
            None if global.len() >= MAX_ROUTES => return None,
            None => {
                let route: &'static str = Box::leak(route.into());
                let name: &'static str = Box::leak(format!("{method} {route}").into_boxed_str());
                let n: &'static RouteNames = Box::leak(Box::new(RouteNames {
                    method,
                    route,
                    name,
                }));
                global.push(n);
                n
            }
        }
    };
    let _ = LOCAL.try_with(|l| {
        let mut l = l.borrow_mut();
        if l.len() < THREAD_ROUTES {
            l.push(found);
        }
    });
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_once_and_shared_across_threads() {
        let a = route_names("GET", "/names-test/{id}").unwrap();
        assert_eq!(a.name, "GET /names-test/{id}");
        assert_eq!(a.route, "/names-test/{id}");
        let b = route_names("GET", &String::from("/names-test/{id}")).unwrap();
        assert!(std::ptr::eq(a, b), "the same pair is found again");
        let c = std::thread::spawn(|| route_names("GET", "/names-test/{id}").unwrap())
            .join()
            .unwrap();
        assert!(std::ptr::eq(a, c), "another thread finds the global entry");
        let post = route_names("POST", "/names-test/{id}").unwrap();
        assert_eq!(post.name, "POST /names-test/{id}");
        assert!(!std::ptr::eq(a, post));
    }

    #[test]
    fn standard_methods_are_static_and_extensions_are_not() {
        assert_eq!(method_name(&Method::PATCH), Some("PATCH"));
        let custom = Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(method_name(&custom), None);
    }
}
