//! Whether to believe what a caller says about the trace, as the Go middleware's `HonorReqHeader`.

use std::net::IpAddr;

#[cfg(feature = "tower")]
use crate::context::SpanContext;
#[cfg(feature = "tower")]
use crate::span::SpanBuilder;

/// A network of trusted peers: an address and a prefix length (`10.0.0.0/8`, `::1/128`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerNet {
    addr: IpAddr,
    prefix: u8,
}

impl PeerNet {
    /// The network of `addr` with `prefix` leading bits (clamped to the address width).
    pub fn new(addr: IpAddr, prefix: u8) -> Self {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Self {
            addr,
            prefix: prefix.min(max),
        }
    }

    /// The loopback networks `127.0.0.0/8` and `::1/128`.
    pub fn loopback() -> [Self; 2] {
        [
            Self::new(IpAddr::from([127, 0, 0, 0]), 8),
            Self::new(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]), 128),
        ]
    }

    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - u32::from(prefix));
    a & mask == b & mask
}

impl std::str::FromStr for PeerNet {
    type Err = String;

    /// `addr` or `addr/prefix`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|e| format!("invalid network {s:?}: {e}"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("invalid network {s:?}: prefix must be 0-{max}"))?,
        };
        Ok(Self::new(addr, prefix))
    }
}

/// What a server does with the trace context a request brings.
///
/// - [`Honour`](Self::Honour): continue the caller's trace and follow its sampled flag (through
///   the tracer's sampler; the default [`Sampler`](crate::Sampler) is parent-based).
/// - [`Ignore`](Self::Ignore): do not let callers decide: every request starts a new trace whose
///   sampling this process decides, linked to the caller's span so the two can still be joined.
///   The caller's `tracestate` and baggage are not carried either: they belong to its trace, and
///   an untrusted caller could use them to inject data. Use it at the edge, facing the internet.
/// - [`TrustedPeers`](Self::TrustedPeers): honour callers whose address is in one of the networks,
///   ignore the others (and requests whose peer address is unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustPolicy {
    /// Continue every caller's trace.
    #[default]
    Honour,
    /// Start a new trace for every request.
    Ignore,
    /// Continue the trace only of callers in these networks.
    TrustedPeers(Vec<PeerNet>),
}

impl TrustPolicy {
    /// Whether a caller at `peer` is believed.
    ///
    /// ```
    /// use trace_core::propagation::{PeerNet, TrustPolicy};
    /// let p = TrustPolicy::TrustedPeers(vec!["10.0.0.0/8".parse().unwrap()]);
    /// assert!(p.trusts(Some("10.1.2.3".parse().unwrap())));
    /// assert!(!p.trusts(Some("192.168.0.1".parse().unwrap())));
    /// assert!(!p.trusts(None));
    /// ```
    pub fn trusts(&self, peer: Option<IpAddr>) -> bool {
        match self {
            Self::Honour => true,
            Self::Ignore => false,
            Self::TrustedPeers(nets) => peer.is_some_and(|ip| nets.iter().any(|n| n.contains(ip))),
        }
    }

    /// A server span's parent (for the HTTP and gRPC server layers): the caller's context when the caller at `peer` is believed; else a
    /// new trace, linked to the caller's span (if it sent one) so the two can still be joined.
    #[cfg(feature = "tower")]
    pub(crate) fn server_parent(
        &self,
        builder: SpanBuilder,
        remote: Option<SpanContext>,
        peer: Option<IpAddr>,
    ) -> SpanBuilder {
        match remote {
            Some(remote) if self.trusts(peer) => builder.child_of(remote),
            Some(remote) => builder.root().link(&remote),
            None => builder.root(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_match_by_prefix() {
        let n: PeerNet = "192.168.1.0/24".parse().unwrap();
        assert!(n.contains("192.168.1.200".parse().unwrap()));
        assert!(!n.contains("192.168.2.1".parse().unwrap()));
        assert!(
            n.contains("::ffff:192.168.1.7".parse().unwrap()),
            "v4-mapped"
        );
        let one: PeerNet = "10.0.0.1".parse().unwrap();
        assert!(one.contains("10.0.0.1".parse().unwrap()));
        assert!(!one.contains("10.0.0.2".parse().unwrap()));
        let any: PeerNet = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains("8.8.8.8".parse().unwrap()));
        assert!(!any.contains("::2".parse().unwrap()));
        let [v4, v6] = PeerNet::loopback();
        assert!(v4.contains("127.0.0.1".parse().unwrap()));
        assert!(v6.contains("::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<PeerNet>().is_err());
        assert!("nonsense".parse::<PeerNet>().is_err());
        assert!(
            "fe80::/10"
                .parse::<PeerNet>()
                .unwrap()
                .contains("fe80::1".parse().unwrap())
        );
    }

    #[test]
    fn policies() {
        let ip = Some("127.0.0.1".parse().unwrap());
        assert!(TrustPolicy::Honour.trusts(None));
        assert!(!TrustPolicy::Ignore.trusts(ip));
        let p = TrustPolicy::TrustedPeers(PeerNet::loopback().to_vec());
        assert!(p.trusts(ip));
        assert!(!p.trusts(Some("10.0.0.1".parse().unwrap())));
        assert!(!p.trusts(None));
    }
}
