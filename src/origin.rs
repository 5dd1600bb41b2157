//! Where a request came from: the client address, whether it arrived over TLS and its user agent, as the
//! condition keys `aws:SourceIp`, `aws:SecureTransport` and `aws:UserAgent` see them.
//!
//! Gatehouse speaks plain HTTP and is meant to sit behind a TLS-terminating proxy. The TCP peer is then the proxy,
//! and only the proxy's forwarded headers say who the client was. Those headers are client input like any other
//! unless the proxy wrote them, so they are read only when the peer is one of the configured trusted proxies
//! (`GATEHOUSE_TRUSTED_PROXIES`); without that setting a client cannot choose its own `aws:SourceIp`.
//!
//! Of the forwarded headers, `X-Forwarded-For` and `X-Forwarded-Proto` are read; RFC 7239 `Forwarded` is ignored
//! on purpose. The proxies Gatehouse documents (Caddy, nginx, Traefik) manage the `X-Forwarded-*` pair, and a
//! proxy passes the headers it does not manage through from the client untouched: honouring `Forwarded` as well
//! would let a client behind such a proxy write the header that decides. One header family, the one the proxies
//! write, leaves nothing to choose.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::{IpNet, Ipv4Net};

/// Where a request came from, as the condition keys aws:SourceIp, aws:SecureTransport and aws:UserAgent see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub source_ip: Option<IpAddr>,
    pub secure_transport: bool,
    pub user_agent: Option<String>,
}

/// The TCP peer of a connection, which the accept loop (`crate::net`) puts into each request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The networks whose connections may speak for their clients through forwarded headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of CIDR networks or single addresses, IPv4 or IPv6 (`10.0.0.0/8,192.0.2.7,fd00::/8`).
    /// Blank entries are skipped (the empty list trusts nobody); anything else that is not an address or a
    /// network is refused, naming it.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let net = match entry.parse::<IpNet>() {
                // Host bits are ignored (`10.1.2.3/8` is `10.0.0.0/8`), as routers read such a network.
                Ok(net) => net.trunc(),
                Err(_) => match entry.parse::<IpAddr>() {
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => {
                        return Err(format!(
                        "{entry:?} is neither an IP address nor a CIDR network (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)"
                    ))
                    }
                },
            };
            nets.push(canonical_net(net));
        }
        Ok(Self(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `ip` (IPv4-mapped IPv6 taken as the IPv4 address it is) lies in one of the networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4-mapped IPv6 network (`::ffff:10.0.0.0/104`) as the IPv4 network it is: peers are compared in their
/// canonical form, so that an IPv4 client of a dual-stack socket matches the IPv4 networks it belongs to.
fn canonical_net(net: IpNet) -> IpNet {
    if let IpNet::V6(v6) = net {
        if let (Some(v4), Some(len)) = (v6.addr().to_ipv4_mapped(), v6.prefix_len().checked_sub(96)) {
            if let Ok(v4net) = Ipv4Net::new(v4, len) {
                return IpNet::V4(v4net);
            }
        }
    }
    net
}

impl Origin {
    /// The origin of a request that arrived from `peer` with `headers`. The forwarded headers count only when the
    /// peer is a trusted proxy; otherwise the peer is the client and the transport is Gatehouse's own plain HTTP.
    pub fn of(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Self {
        let peer = peer.map(|p| p.ip().to_canonical());
        let user_agent =
            headers.get(axum::http::header::USER_AGENT).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        match peer {
            Some(peer) if trusted.contains(peer) => Self {
                source_ip: Some(forwarded_client(peer, headers, trusted)),
                secure_transport: forwarded_https(headers),
                user_agent,
            },
            _ => Self { source_ip: peer, secure_transport: false, user_agent },
        }
    }
}

/// The client behind the trusted proxy `peer`, from `X-Forwarded-For`. Each proxy appends the address it received
/// the request from, so the list is read from the right: entries that are themselves trusted proxies are hops to
/// pass, the first untrusted one is the client. Everything to its left was written by the client (or by proxies
/// nobody vouches for) and is never read. An entry that is not an address stops the walk at the last trusted hop
/// reached, which then counts as the client: it is the farthest address someone trusted wrote down. A list of
/// trusted hops only ends at its leftmost one, for the same reason.
fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut hop = peer;
    // Several header lines form one list, in order (RFC 9110, 5.3): the last line's last entry is the nearest hop.
    for line in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(line) = line.to_str() else { return hop };
        for entry in line.rsplit(',') {
            let Some(ip) = parse_entry(entry.trim()) else { return hop };
            if !trusted.contains(ip) {
                return ip;
            }
            hop = ip;
        }
    }
    hop
}

/// One `X-Forwarded-For` entry: an address, canonical. Some proxies add the client's port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`) or bracket IPv6 (`[2001:db8::1]`); those forms are read too. Anything else is `None`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let ip =
        entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip())).or_else(|| {
            entry.strip_prefix('[')?.strip_suffix(']')?.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

/// Whether the trusted proxy says the client spoke HTTPS to it. Proxies set `X-Forwarded-Proto` to their own
/// scheme (Caddy, Traefik, nginx's `$scheme`), replacing what the client sent; a proxy that appends instead puts
/// its own value last, so the last value is the one the trusted peer vouches for.
fn forwarded_https(headers: &HeaderMap) -> bool {
    let last = headers.get_all("x-forwarded-proto").iter().next_back();
    last.and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(s.parse().unwrap(), 40000))
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    /// The source address of a request from `from` with `X-Forwarded-For: xff`, behind `trusted`.
    fn source(trusted: &str, from: &str, xff: &[&str]) -> Option<IpAddr> {
        let h = headers(&xff.iter().map(|v| ("x-forwarded-for", *v)).collect::<Vec<_>>());
        Origin::of(peer(from), &h, &proxies(trusted)).source_ip
    }

    #[test]
    fn trusted_proxies_are_parsed() {
        let t = proxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,2001:db8::1,,");
        assert!(t.contains("10.200.3.4".parse().unwrap()));
        assert!(t.contains("192.0.2.7".parse().unwrap()));
        assert!(!t.contains("192.0.2.8".parse().unwrap()));
        assert!(t.contains("fd12::1".parse().unwrap()));
        assert!(t.contains("2001:db8::1".parse().unwrap()));
        assert!(!t.contains("2001:db8::2".parse().unwrap()));
        assert!(!t.contains("11.0.0.1".parse().unwrap()));
        assert!(proxies("").is_empty() && proxies(" , ").is_empty());
        // Host bits are dropped; an IPv4 peer of a dual-stack socket matches IPv4 networks, and IPv4-mapped
        // entries match IPv4 peers.
        assert!(proxies("10.1.2.3/8").contains("10.9.9.9".parse().unwrap()));
        assert!(proxies("10.0.0.0/8").contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(proxies("::ffff:10.0.0.0/104").contains("10.3.0.1".parse().unwrap()));
        assert!(proxies("::ffff:192.0.2.7").contains("192.0.2.7".parse().unwrap()));
    }

    #[test]
    fn invalid_trusted_proxies_are_refused_by_name() {
        for bad in ["10.0.0.0/33", "10.0.0", "localhost", "10.0.0.0/8;", "fd00::/129", "10.0.0.1:80", "*"] {
            let e = TrustedProxies::parse(&format!("192.0.2.1,{bad}")).unwrap_err();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
    }

    #[test]
    fn without_trusted_proxies_forwarded_headers_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=203.0.113.9;proto=https"),
            ("user-agent", "aws-cli/2.15"),
        ]);
        let o = Origin::of(peer("198.51.100.4"), &h, &TrustedProxies::default());
        let expected =
            Origin { source_ip: ip("198.51.100.4"), secure_transport: false, user_agent: Some("aws-cli/2.15".into()) };
        assert_eq!(o, expected);
        // A peer outside the trusted networks is the client too, whatever it forwards.
        assert_eq!(Origin::of(peer("198.51.100.4"), &h, &proxies("10.0.0.0/8")), expected);
        assert_eq!(Origin::of(None, &HeaderMap::new(), &proxies("10.0.0.0/8")), Origin::default());
    }

    #[test]
    fn forwarded_for_is_walked_from_the_right() {
        let t = "10.0.0.0/8";
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9"]), ip("203.0.113.9"));
        // Trusted hops are passed over: the client sits behind two proxies.
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9, 10.0.0.2, 10.0.0.3"]), ip("203.0.113.9"));
        // Several header lines are one list.
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9", "10.0.0.3"]), ip("203.0.113.9"));
        // No header: the proxy itself is the client (a health probe, say).
        assert_eq!(source(t, "10.0.0.1", &[]), ip("10.0.0.1"));
        // Only trusted hops: the leftmost one is the farthest anyone trusted wrote down.
        assert_eq!(source(t, "10.0.0.1", &["10.0.0.7, 10.0.0.8"]), ip("10.0.0.7"));
    }

    #[test]
    fn a_client_cannot_spoof_its_address() {
        let t = "10.0.0.0/8";
        // A client that sends its own X-Forwarded-For gets the real address appended after it by the proxy:
        // the forged entries are left of the first untrusted one and never read.
        assert_eq!(source(t, "10.0.0.1", &["1.1.1.1, 203.0.113.9"]), ip("203.0.113.9"));
        // Forging a trusted address does not help either: the walk stops at the proxy-written client first.
        assert_eq!(source(t, "10.0.0.1", &["10.0.0.5, 203.0.113.9"]), ip("203.0.113.9"));
        // Sending the header straight to Gatehouse, bypassing the proxy, changes nothing.
        assert_eq!(source(t, "203.0.113.9", &["10.0.0.5"]), ip("203.0.113.9"));
        assert_eq!(source("", "203.0.113.9", &["1.1.1.1"]), ip("203.0.113.9"));
    }

    #[test]
    fn ipv6_and_port_forms() {
        let t = "fd00::/8, 10.0.0.0/8";
        assert_eq!(source(t, "fd00::1", &["2001:db8::9"]), ip("2001:db8::9"));
        assert_eq!(source(t, "fd00::1", &["2001:db8::9, fd00::2"]), ip("2001:db8::9"));
        assert_eq!(source(t, "fd00::1", &["[2001:db8::9]:4711"]), ip("2001:db8::9"));
        assert_eq!(source(t, "fd00::1", &["[2001:db8::9]"]), ip("2001:db8::9"));
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9:4711"]), ip("203.0.113.9"));
        // IPv4 over a dual-stack socket, and IPv4-mapped entries, are reported as IPv4.
        assert_eq!(source(t, "::ffff:10.0.0.1", &["::ffff:203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(source("", "::ffff:203.0.113.9", &[]), ip("203.0.113.9"));
    }

    #[test]
    fn malformed_entries_stop_at_the_last_trusted_hop() {
        let t = "10.0.0.0/8";
        for bad in ["unknown", "", "_hidden", "203.0.113.9 extra", "300.1.1.1", "[::1", "for=203.0.113.9"] {
            assert_eq!(source(t, "10.0.0.1", &[&format!("198.51.100.1, {bad}")]), ip("10.0.0.1"), "{bad:?}");
            assert_eq!(source(t, "10.0.0.1", &[&format!("{bad}, 10.0.0.2")]), ip("10.0.0.2"), "{bad:?}");
        }
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9,"]), ip("10.0.0.1"));
        assert_eq!(source(t, "10.0.0.1", &["203.0.113.9", "garbage", "10.0.0.4"]), ip("10.0.0.4"));
        // A header value that is not text stops the walk as well.
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", axum::http::HeaderValue::from_bytes(b"203.0.113.\xff").unwrap());
        assert_eq!(Origin::of(peer("10.0.0.1"), &h, &proxies(t)).source_ip, ip("10.0.0.1"));
        // Very long lists are walked without trouble.
        let long = vec!["10.0.0.9"; 5000].join(",");
        assert_eq!(source(t, "10.0.0.1", &[&long]), ip("10.0.0.9"));
    }

    #[test]
    fn forwarded_proto_counts_only_from_a_trusted_proxy() {
        let t = proxies("10.0.0.0/8");
        let secure =
            |pairs: &[(&'static str, &str)], from: &str| Origin::of(peer(from), &headers(pairs), &t).secure_transport;
        assert!(secure(&[("x-forwarded-proto", "https")], "10.0.0.1"));
        assert!(secure(&[("x-forwarded-proto", "HTTPS")], "10.0.0.1"));
        assert!(!secure(&[("x-forwarded-proto", "http")], "10.0.0.1"));
        assert!(!secure(&[], "10.0.0.1"));
        // An appending proxy's own value is the last one.
        assert!(!secure(&[("x-forwarded-proto", "https, http")], "10.0.0.1"));
        assert!(secure(&[("x-forwarded-proto", "http"), ("x-forwarded-proto", "https")], "10.0.0.1"));
        // Not from an untrusted peer, and never from RFC 7239 `Forwarded`.
        assert!(!secure(&[("x-forwarded-proto", "https")], "203.0.113.9"));
        assert!(!secure(&[("forwarded", "for=203.0.113.9;proto=https")], "10.0.0.1"));
    }

    #[test]
    fn the_user_agent_is_kept_as_sent() {
        let h = headers(&[("user-agent", "aws-sdk-rust/1.3 os/linux")]);
        let o = Origin::of(peer("198.51.100.4"), &h, &TrustedProxies::default());
        assert_eq!(o.user_agent.as_deref(), Some("aws-sdk-rust/1.3 os/linux"));
        assert_eq!(Origin::of(peer("198.51.100.4"), &HeaderMap::new(), &TrustedProxies::default()).user_agent, None);
    }
}
