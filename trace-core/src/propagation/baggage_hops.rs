//! Baggage through many hops and every mix of the formats that carry it (W3C `baggage`, Jaeger
//! `uberctx-*`), and the cost of reading many headers.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

use crate::baggage::{Baggage, BaggageEntry};
use crate::context::SpanContext;
use crate::id::{SpanId, TraceId};
use crate::propagation::{Carrier, CarrierMut, Jaeger, Propagator, Propagators, TraceContext};
use crate::propagation::{W3cBaggage, w3c::baggage::has_key_ignoring_case};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    W3c,
    Jaeger,
}

/// Every ordered, non-empty choice of baggage formats, each beside W3C trace context (so any two
/// services share an id format and a hop never loses the trace itself).
fn configs() -> Vec<Vec<Format>> {
    use Format::*;
    vec![
        vec![W3c],
        vec![Jaeger],
        vec![W3c, Jaeger],
        vec![Jaeger, W3c],
    ]
}

fn propagators(config: &[Format]) -> Propagators {
    config
        .iter()
        .fold(Propagators::new(), |p, f| match f {
            Format::W3c => p.with(W3cBaggage::default()),
            Format::Jaeger => p.with(Jaeger),
        })
        .with(TraceContext::default())
}

/// What a hop can carry when the sender writes `from` and the receiver reads `to`: W3C keeps the
/// baggage as it is; Jaeger only lowercase keys, without properties; with neither it is lost.
fn survives(original: &Baggage, from: &[Format], to: &[Format]) -> Baggage {
    let shared = |f| from.contains(&f) && to.contains(&f);
    if shared(Format::W3c) {
        original.clone()
    } else if shared(Format::Jaeger) {
        let mut out: Vec<BaggageEntry> = Vec::new();
        for e in original.entries() {
            if !has_key_ignoring_case(&Baggage::from_entries(out.clone()), &e.key) {
                out.push(BaggageEntry {
                    key: e.key.to_ascii_lowercase(),
                    value: e.value.clone(),
                    properties: String::new(),
                });
            }
        }
        Baggage::from_entries(out)
    } else {
        Baggage::default()
    }
}

/// The baggage a new user sends: mixed-case keys, properties, and values full of what needs
/// percent-encoding (a long run of `%` grows 3x per encoding if a hop ever encodes twice).
fn sample_baggage() -> Baggage {
    let mut b = Baggage::default();
    b.insert("UserId", "Ann Lee").unwrap();
    b.insert("tenant", "acme").unwrap();
    b.insert_with_properties("Region", "eu-west-1", "ttl=30;sticky")
        .unwrap();
    b.insert("percent", "100%").unwrap();
    b.insert("escaped", "%25%zz%").unwrap();
    b.insert("odd", "a+b=c,d;e\"f\\g ✓").unwrap();
    b.insert("long", &"%".repeat(1000)).unwrap();
    b.insert("empty", "").unwrap();
    b
}

fn start(baggage: Baggage) -> SpanContext {
    SpanContext::new_remote(
        TraceId::from_u128(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736).unwrap(),
        SpanId::from_u64(0x00f0_67aa_0ba9_02b7).unwrap(),
        crate::TraceFlags::default().with_sampled(true),
    )
    .with_baggage(baggage)
}

/// One hop: the sender writes `ctx` into a fresh carrier of the hop's kind (the hops cycle through
/// them), the receiver reads it.
fn hop(ctx: &SpanContext, from: &Propagators, to: &Propagators, carrier: usize) -> SpanContext {
    fn through<C: Carrier + CarrierMut + Default>(
        ctx: &SpanContext,
        from: &Propagators,
        to: &Propagators,
    ) -> SpanContext {
        let mut c = C::default();
        from.inject(ctx, &mut c);
        to.extract(&c)
            .expect("the trace context survives every hop")
    }
    // Every carrier this build has: lists and maps, HTTP headers, gRPC metadata.
    type Through = fn(&SpanContext, &Propagators, &Propagators) -> SpanContext;
    let kinds: &[Through] = &[
        through::<Vec<(String, String)>>,
        through::<HashMap<String, String>>,
        through::<BTreeMap<String, String>>,
        #[cfg(feature = "http")]
        through::<http::HeaderMap>,
        #[cfg(feature = "tonic")]
        through::<tonic::metadata::MetadataMap>,
    ];
    kinds[carrier % kinds.len()](ctx, from, to)
}

/// Services alternate between two configurations for ten hops, over every pair of
/// configurations: after the first hop the baggage is what the shared formats can carry, and
/// every later hop leaves it exactly as it was (no duplicated keys, no growing values).
#[test]
fn baggage_is_unchanged_after_ten_hops_through_every_mix_of_formats() {
    let original = sample_baggage();
    for a in configs() {
        for b in configs() {
            let (pa, pb) = (propagators(&a), propagators(&b));
            let expected = survives(&original, &a, &b);
            let expected = survives(&expected, &b, &a);
            // Only W3C keeps the members' order: Jaeger's headers may come out of a map in any.
            let ordered = a.contains(&Format::W3c) && b.contains(&Format::W3c);
            let comparable = |b: &Baggage| {
                let mut e = b.entries().to_vec();
                if !ordered {
                    e.sort_by(|x, y| x.key.cmp(&y.key));
                }
                e
            };
            let mut ctx = start(original.clone());
            for i in 0..10 {
                let (from, to) = if i % 2 == 0 { (&pa, &pb) } else { (&pb, &pa) };
                ctx = hop(&ctx, from, to, i);
                if i == 0 {
                    assert_eq!(
                        comparable(ctx.baggage()),
                        comparable(&survives(&original, &a, &b)),
                        "{a:?} -> {b:?}, first hop"
                    );
                }
            }
            assert_eq!(
                comparable(ctx.baggage()),
                comparable(&expected),
                "{a:?} <-> {b:?}, ten hops"
            );
        }
    }
}

/// A carrier over a list of pairs that counts how many pairs its lookups visit.
#[derive(Default)]
struct Counting {
    pairs: Vec<(String, String)>,
    visits: Cell<usize>,
}

impl Carrier for Counting {
    fn get_all(&self, name: &str) -> Vec<&str> {
        self.visits.set(self.visits.get() + self.pairs.len());
        self.pairs.get_all(name)
    }

    fn names(&self) -> Vec<&str> {
        self.visits.set(self.visits.get() + self.pairs.len());
        self.pairs.names()
    }

    fn pairs(&self) -> Vec<(&str, &str)> {
        self.visits.set(self.visits.get() + self.pairs.len());
        Carrier::pairs(&self.pairs)
    }
}

/// 20,000 `uberctx-*` headers (half one repeated key, half distinct keys) are read in one pass
/// over the list: the work is counted, not timed. Asking the list for every name in turn, as
/// extraction did, visits 20,000 x 20,000 pairs.
#[test]
fn twenty_thousand_jaeger_headers_extract_in_one_pass() {
    let n = 20_000;
    let mut c = Counting::default();
    c.pairs.push((
        "uber-trace-id".into(),
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1".into(),
    ));
    for i in 0..n / 2 {
        c.pairs.push(("uberctx-same".into(), format!("v{i}")));
        c.pairs.push((format!("UberCtx-K{i}"), format!("v{i}")));
    }
    let ctx = Propagators::new()
        .with(Jaeger)
        .extract(&c)
        .expect("a context");
    let keys: Vec<&str> = ctx
        .baggage()
        .entries()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    let expected: Vec<String> = (0..64).map(|i| format!("k{i}")).collect();
    assert_eq!(
        keys, expected,
        "the first 64 distinct keys; the repeated one dropped"
    );
    assert_eq!(ctx.baggage().get("k63"), Some("v63"));
    let visits = c.visits.get();
    assert!(
        visits <= 4 * (n + 1),
        "{visits} pairs visited for {} headers: extraction is not linear",
        n + 1
    );
}

#[test]
fn default_pairs_visit_each_name_once() {
    struct Names(Vec<(String, String)>);
    impl Carrier for Names {
        fn get_all(&self, name: &str) -> Vec<&str> {
            self.0.get_all(name)
        }
        fn names(&self) -> Vec<&str> {
            self.0.names()
        }
    }
    let c = Names(vec![
        ("A".into(), "1".into()),
        ("b".into(), "2".into()),
        ("a".into(), "3".into()),
    ]);
    assert_eq!(c.pairs(), [("A", "1"), ("A", "3"), ("b", "2")]);
}
