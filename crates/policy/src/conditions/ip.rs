//! `IpAddress` / `NotIpAddress` `[OPS]`: IPv4 or IPv6 CIDR blocks (RFC 4632, RFC 4291); a bare
//! address is a /32 (or /128). An IPv4 request never falls in an IPv6 block or the reverse.

use std::net::IpAddr;

use crate::context::ContextValue;
use crate::document::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 3 => p.parse().ok()?,
            Some(_) => return None,
        };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(u128::from(u32::from(net)) << 96, u128::from(u32::from(ip)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(u128::from(net), u128::from(ip), self.prefix),
            _ => false,
        }
    }
}

/// The first `prefix` bits of two left-aligned 128-bit addresses are equal.
fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
    a & mask == b & mask
}

#[derive(Clone, Debug)]
pub(crate) struct IpTest {
    values: Box<[Option<Cidr>]>,
}

impl IpTest {
    pub(crate) fn new(values: &[Scalar]) -> IpTest {
        IpTest { values: values.iter().map(|v| Cidr::parse(v.text())).collect() }
    }

    pub(crate) fn matches(&self, v: &ContextValue) -> bool {
        let Some(ip) = v.as_ip() else { return false };
        self.values.iter().flatten().any(|c| c.contains(ip))
    }
}
