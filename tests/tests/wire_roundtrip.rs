//! Inject then extract gives the same context, for every format, as property tests.

use std::collections::HashMap;

use proptest::prelude::*;
use trace_core::propagation::{
    B3, BaggageLimits, CloudTrace, Jaeger, Propagator, Propagators, RequestId, TraceContext,
    W3cBaggage, format_baggage, format_trace_state, parse_baggage, parse_trace_state,
};
use trace_core::{Baggage, SpanContext, SpanId, TraceFlags, TraceId, TraceState};

fn ids() -> impl Strategy<Value = (TraceId, SpanId)> {
    (1u128.., 1u64..)
        .prop_map(|(t, s)| (TraceId::from_u128(t).unwrap(), SpanId::from_u64(s).unwrap()))
}

fn ts_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_*/-]{0,20}",
        "[a-z0-9][a-z0-9_*/-]{0,10}@[a-z][a-z0-9_*/-]{0,13}",
    ]
}

fn ts_value() -> impl Strategy<Value = String> {
    // 0x20-0x7E without ',' and '=', not ending in a space.
    "[ -+\\--<>-~]{0,20}[!-+\\--<>-~]"
}

fn trace_state() -> impl Strategy<Value = TraceState> {
    proptest::collection::vec((ts_key(), ts_value()), 0..8).prop_map(|entries| {
        let mut ts = TraceState::default();
        for (k, v) in entries.into_iter().rev() {
            ts.insert(&k, &v).unwrap();
        }
        ts
    })
}

fn baggage() -> impl Strategy<Value = Baggage> {
    proptest::collection::vec(
        (
            "[A-Za-z0-9!#$&'*+.^_`|~-]{1,12}",
            any::<String>(),
            prop_oneof![
                Just(String::new()),
                Just("ttl=3".to_string()),
                Just("p;q=r".to_string())
            ],
        ),
        0..8,
    )
    .prop_map(|entries| {
        let mut b = Baggage::default();
        for (k, v, p) in entries {
            b.insert_with_properties(&k, &v, &p).unwrap();
        }
        b
    })
}

fn flags() -> impl Strategy<Value = TraceFlags> {
    (any::<bool>(), any::<bool>()).prop_map(|(s, r)| {
        TraceFlags::default()
            .with_sampled(s)
            .with_random_trace_id(r)
    })
}

fn through(p: &dyn Propagator, ctx: &SpanContext) -> Option<SpanContext> {
    let mut headers: Vec<(String, String)> = Vec::new();
    p.inject(ctx, &mut headers);
    p.extract(&headers)
}

proptest! {
    #[test]
    fn w3c_trace_context_and_baggage(((t, s), f, ts, bag) in (ids(), flags(), trace_state(), baggage())) {
        let ctx = SpanContext::new_remote(t, s, f).with_trace_state(ts.clone()).with_baggage(bag.clone());
        let back = through(&Propagators::w3c(), &ctx).unwrap();
        prop_assert_eq!(back.trace_id(), t);
        prop_assert_eq!(back.span_id(), s);
        prop_assert_eq!(back.flags(), f);
        prop_assert_eq!(back.trace_state(), &ts);
        prop_assert_eq!(back.baggage(), &bag);
    }

    #[test]
    fn trace_state_text(ts in trace_state()) {
        match format_trace_state(&ts, 4096) {
            Some(text) => prop_assert_eq!(parse_trace_state(&text).unwrap(), ts),
            None => prop_assert!(ts.is_empty()),
        }
    }

    #[test]
    fn baggage_text(bag in baggage()) {
        let limits = BaggageLimits::default();
        match format_baggage(&bag, limits) {
            Some(text) => prop_assert_eq!(parse_baggage(&text, limits), bag),
            None => prop_assert!(bag.is_empty()),
        }
    }

    #[test]
    fn b3_single_and_multi(((t, s), sampled) in (ids(), any::<bool>())) {
        let ctx = SpanContext::new_remote(t, s, TraceFlags::default().with_sampled(sampled));
        for p in [B3::single(), B3::multi()] {
            let back = through(&p, &ctx).unwrap();
            prop_assert_eq!((back.trace_id(), back.span_id(), back.is_sampled()), (t, s, sampled));
        }
    }

    #[test]
    fn jaeger_with_baggage(((t, s), sampled, bag) in (ids(), any::<bool>(), baggage())) {
        // uberctx- header names are lowercase, so keys round-trip lowercased and properties are not carried.
        let mut lower = Baggage::default();
        for e in bag.entries() {
            lower.insert(&e.key.to_ascii_lowercase(), &e.value).unwrap();
        }
        let ctx = SpanContext::new_remote(t, s, TraceFlags::default().with_sampled(sampled)).with_baggage(lower.clone());
        let back = through(&Jaeger, &ctx).unwrap();
        prop_assert_eq!((back.trace_id(), back.span_id(), back.is_sampled()), (t, s, sampled));
        let mut got: Vec<_> = back.baggage().entries().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        let mut want: Vec<_> = lower.entries().iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn cloud_trace(((t, s), sampled) in (ids(), any::<bool>())) {
        let ctx = SpanContext::new_remote(t, s, TraceFlags::default().with_sampled(sampled));
        let back = through(&CloudTrace, &ctx).unwrap();
        prop_assert_eq!((back.trace_id(), back.span_id(), back.is_sampled()), (t, s, sampled));
    }

    #[test]
    fn request_id((t, s) in ids()) {
        let ctx = SpanContext::new_remote(t, s, TraceFlags::SAMPLED);
        let back = through(&RequestId, &ctx).unwrap();
        prop_assert_eq!((back.trace_id(), back.span_id()), (t, s));
    }

    #[test]
    fn go_decimal_request_ids(t in 1u64..(1 << 63), s in 1u64..(1 << 63)) {
        let mut h = HashMap::new();
        h.insert("X-Request-Id".to_string(), format!("{t}:{s}"));
        let back = RequestId.extract(&h).unwrap();
        prop_assert_eq!(back.trace_id().to_u128(), u128::from(t));
        prop_assert_eq!(back.span_id().to_u64(), s);
    }

    #[test]
    fn composite_reads_what_any_member_wrote(((t, s), which) in (ids(), 0usize..5)) {
        let all = Propagators::new()
            .with(TraceContext::default())
            .with(W3cBaggage::default())
            .with(B3::multi())
            .with(Jaeger)
            .with(CloudTrace)
            .with(RequestId);
        let writers: [&dyn Propagator; 5] = [&TraceContext::default(), &B3::single(), &Jaeger, &CloudTrace, &RequestId];
        let ctx = SpanContext::new_remote(t, s, TraceFlags::SAMPLED);
        let mut headers = HashMap::new();
        writers[which].inject(&ctx, &mut headers);
        let back = all.extract(&headers).unwrap();
        prop_assert_eq!((back.trace_id(), back.span_id()), (t, s));
    }

    #[test]
    fn no_input_panics(name in "[a-zA-Z0-9-]{1,20}", value in any::<String>()) {
        let all = Propagators::w3c().with(B3::single()).with(Jaeger).with(CloudTrace).with(RequestId);
        for header in ["traceparent", "tracestate", "baggage", "b3", "uber-trace-id", "x-cloud-trace-context", "x-request-id", name.as_str()] {
            let mut h = HashMap::new();
            h.insert(header.to_string(), value.clone());
            h.insert("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
            let _ = all.extract(&h);
            h.remove("traceparent");
            let _ = all.extract(&h);
        }
    }
}
