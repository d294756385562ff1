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

    /// All samples of `parts` together.
    pub fn merged(parts: impl IntoIterator<Item = Samples>) -> Self {
        Samples::new(parts.into_iter().flat_map(|s| s.0).collect())
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

/// The median of some numbers (the lower middle one of an even count, a measured value);
/// `None` without any.
pub fn median_f64(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
}

/// The median of per-run ratios with their spread: `×1.23 (×1.10–×1.40)`; `–` without any.
pub fn fmt_ratio_spread(ratios: &[f64]) -> String {
    let Some(median) = median_f64(ratios.iter().copied()) else {
        return "–".into();
    };
    let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("×{median:.2} (×{min:.2}–×{max:.2})")
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

    #[test]
    fn a_ratio_of_three_runs_is_their_median_with_the_lowest_and_highest_beside_it() {
        assert_eq!(fmt_ratio_spread(&[1.5, 0.9, 1.2]), "×1.20 (×0.90–×1.50)");
        assert_eq!(fmt_ratio_spread(&[]), "–");
        assert_eq!(median_f64([4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median_f64([f64::NAN]), None);
    }
}
