//! One static [`Callsite`] per `tracing` call site, so a bridged span carries a pointer to its
//! name and location as our own spans do, instead of copying them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use tracing_core::Metadata;

use crate::callsite::Callsite;
use crate::span::SpanKind;

/// Keyed by the address of the call site's static metadata.
type Map = HashMap<usize, &'static Callsite, BuildHasherDefault<AddressHasher>>;

/// Every call site seen by any thread: each is leaked once, like `tracing`'s own registry of call
/// sites, so their number is bounded by the program's code.
static ALL: Mutex<Option<Map>> = Mutex::new(None);

thread_local! {
    /// This thread's copy of the entries it used, read without a lock.
    static SEEN: RefCell<Map> = RefCell::new(Map::default());
}

/// The call site of spans opened at `meta`: named after the span, with the target as its module.
#[inline]
pub(super) fn callsite(meta: &'static Metadata<'static>) -> &'static Callsite {
    let key = std::ptr::from_ref(meta) as usize;
    let seen = SEEN
        .try_with(|seen| seen.try_borrow().ok().and_then(|s| s.get(&key).copied()))
        .ok()
        .flatten();
    seen.unwrap_or_else(|| first_use(key, meta))
}

#[cold]
fn first_use(key: usize, meta: &'static Metadata<'static>) -> &'static Callsite {
    let callsite = {
        let mut all = ALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *all.get_or_insert_with(Map::default)
            .entry(key)
            .or_insert_with(|| {
                Box::leak(Box::new(Callsite::new(
                    meta.name(),
                    SpanKind::Internal,
                    meta.target(),
                    meta.file().unwrap_or("<unknown>"),
                    meta.line().unwrap_or(0),
                )))
            })
    };
    let _ = SEEN.try_with(|seen| {
        if let Ok(mut seen) = seen.try_borrow_mut() {
            seen.insert(key, callsite);
        }
    });
    callsite
}

/// Hashes an address: mixes the high bits into the low ones the table indexes by (addresses are
/// aligned, so their low bits are mostly zero).
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0.rotate_left(8) ^ u64::from(b));
        }
    }

    #[inline]
    fn write_usize(&mut self, address: usize) {
        self.write_u64(address as u64);
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        let h = value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}
