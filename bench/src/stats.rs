//! Percentiles and their formatting. Nearest-rank on the sorted samples, so a p99 over 100
//! samples is the 99th smallest, and every figure printed is a value that was measured.

use std::time::Duration;

/// Sorted samples.
#[derive(Clone, Debug)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Samples(samples)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The nearest-rank percentile `p` (0–100]: the smallest sample with at least `p` % of the
    /// samples at or below it. `None` without samples.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.0.len();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.0[rank.clamp(1, n) - 1])
    }

    pub fn median(&self) -> Option<Duration> {
        self.percentile(50.0)
    }

    pub fn max(&self) -> Option<Duration> {
        self.0.last().copied()
    }
}

/// `12.3 ms`, `1.52 s`, `850 µs`; `–` for nothing measured.
pub fn fmt_duration(d: Option<Duration>) -> String {
    let Some(d) = d else {
        return "–".into();
    };
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// `1,234,567`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `ours / peer` as `×1.23`, or `–` when the peer is zero.
pub fn ratio(ours: f64, peer: f64) -> String {
    if peer == 0.0 {
        "–".into()
    } else {
        format!("×{:.2}", ours / peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Samples {
        Samples::new(values.iter().map(|&v| Duration::from_millis(v)).collect())
    }

    #[test]
    fn median_of_an_odd_count_is_the_middle_sample_whatever_the_order() {
        let s = ms(&[5, 1, 3, 4, 2]);
        assert_eq!(s.median(), Some(Duration::from_millis(3)));
    }

    #[test]
    fn nearest_rank_percentiles_of_one_to_one_hundred_are_the_ranks_themselves() {
        let s = ms(&(1..=100).rev().collect::<Vec<_>>());
        assert_eq!(s.percentile(50.0), Some(Duration::from_millis(50)));
        assert_eq!(s.percentile(90.0), Some(Duration::from_millis(90)));
        assert_eq!(s.percentile(99.0), Some(Duration::from_millis(99)));
        assert_eq!(s.percentile(100.0), Some(Duration::from_millis(100)));
        assert_eq!(s.max(), Some(Duration::from_millis(100)));
    }

    #[test]
    fn p90_of_twenty_loads_is_the_eighteenth_smallest() {
        let s = ms(&(1..=20).collect::<Vec<_>>());
        assert_eq!(s.percentile(90.0), Some(Duration::from_millis(18)));
        assert_eq!(s.median(), Some(Duration::from_millis(10)));
    }

    #[test]
    fn no_samples_give_no_percentile_and_a_dash() {
        let s = ms(&[]);
        assert_eq!(s.percentile(99.0), None);
        assert_eq!(fmt_duration(s.median()), "–");
    }

    #[test]
    fn counts_and_ratios_read_like_a_table() {
        assert_eq!(fmt_count(1_234_567), "1,234,567");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(ratio(3.0, 2.0), "×1.50");
        assert_eq!(ratio(1.0, 0.0), "–");
        assert_eq!(fmt_duration(Some(Duration::from_micros(1_500))), "1.5 ms");
    }
}
