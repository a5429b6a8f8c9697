//! The vault's price window: the highest collateral price recorded per time bucket, so a
//! release step pays at a price that held over a whole window, never at a one-update wick.
use anchor_lang::prelude::*;

/// Buckets kept in the ring. A window spans at most `WINDOW_SPAN_BUCKETS + 1` bucket indices,
/// so a read never meets a slot reused for a newer bucket.
pub const WINDOW_BUCKETS: usize = 10;
/// A window of `span` seconds is cut into buckets of `ceil(span / WINDOW_SPAN_BUCKETS)` seconds.
pub const WINDOW_SPAN_BUCKETS: i64 = 8;

/// Highest price recorded in one bucket of time.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PriceBucket {
    /// `publish_time.div_euclid(bucket_secs)`; meaningful only when `high > 0`.
    pub index: i64,
    /// Highest recorded price, `PRICE_SCALE` (1e-12); 0 = empty.
    pub high: u64,
}

#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PriceWindow {
    /// Bucket width the ring was filled with; a different span empties it.
    pub bucket_secs: u32,
    /// Zero (explicit `repr(C)` padding).
    pub padding: [u8; 4],
    pub buckets: [PriceBucket; WINDOW_BUCKETS],
}

/// `ceil(span / WINDOW_SPAN_BUCKETS)`, at least 1 second and at most `u32::MAX`.
pub fn bucket_secs_for(span_secs: i64) -> u32 {
    let span = span_secs.max(1).unsigned_abs();
    let width = span.div_ceil(WINDOW_SPAN_BUCKETS.unsigned_abs()).max(1);
    u32::try_from(width).unwrap_or(u32::MAX)
}

/// `floor(t / width)` for any `t` and a positive width, with unsigned division only (SBPF has
/// no signed division).
pub fn floor_div(t: i64, width: u32) -> i64 {
    let w = u64::from(width.max(1));
    let a = t.unsigned_abs();
    // w >= 1: neither division can fail.
    let q = a.checked_div(w).unwrap_or(0);
    if t >= 0 {
        return i64::try_from(q).unwrap_or(i64::MAX);
    }
    // -ceil(|t| / w), without overflow for |t| up to 2^63.
    let up = q.saturating_add(u64::from(!a.is_multiple_of(w)));
    0i64.saturating_sub_unsigned(up)
}

impl PriceWindow {
    fn slot(index: i64) -> usize {
        // A non-negative residue in 0..WINDOW_BUCKETS, with unsigned arithmetic only.
        let n = WINDOW_BUCKETS as u64;
        let r = index.unsigned_abs().checked_rem(n).unwrap_or(0);
        let r = if index < 0 && r != 0 {
            n.saturating_sub(r)
        } else {
            r
        };
        usize::try_from(r).unwrap_or(0)
    }

    /// Records `price` observed at `publish_time` in a window of `span_secs`.
    pub fn record(&mut self, publish_time: i64, price: u64, span_secs: i64) {
        let width = bucket_secs_for(span_secs);
        if self.bucket_secs != width {
            *self = PriceWindow {
                bucket_secs: width,
                ..Default::default()
            };
        }
        let index = floor_div(publish_time, width);
        if let Some(bucket) = self.buckets.get_mut(Self::slot(index)) {
            if bucket.high == 0 || bucket.index != index {
                *bucket = PriceBucket { index, high: price };
            } else {
                bucket.high = bucket.high.max(price);
            }
        }
    }

    /// Highest price recorded over `[anchor - span_secs, anchor]` (whole buckets, so possibly a
    /// little more: only ever a higher price); `None` when nothing was recorded there.
    pub fn high(&self, anchor: i64, span_secs: i64) -> Option<u64> {
        if self.bucket_secs != bucket_secs_for(span_secs) {
            return None;
        }
        let last = floor_div(anchor, self.bucket_secs);
        let first = floor_div(anchor.saturating_sub(span_secs), self.bucket_secs);
        let mut high: Option<u64> = None;
        let mut index = first;
        while index <= last {
            if let Some(b) = self.buckets.get(Self::slot(index)) {
                if b.high > 0 && b.index == index {
                    high = Some(high.map_or(b.high, |h| h.max(b.high)));
                }
            }
            index = index.saturating_add(1);
        }
        high
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    const SPAN: i64 = 160; // buckets of 20 s

    #[test]
    fn the_high_covers_the_span_and_forgets_older_buckets() {
        let mut w = PriceWindow::default();
        w.record(1_000, 90, SPAN);
        w.record(1_050, 70, SPAN);
        w.record(1_100, 60, SPAN);
        assert_eq!(w.high(1_100, SPAN), Some(90));
        // 1_000 is in bucket 50, the window at 1_180 starts in bucket 51.
        w.record(1_180, 55, SPAN);
        assert_eq!(w.high(1_180, SPAN), Some(70));
        assert_eq!(w.high(1_250, SPAN), Some(60));
        assert_eq!(w.high(1_340, SPAN), Some(55));
        assert_eq!(w.high(1_400, SPAN), None);
    }

    #[test]
    fn a_single_low_update_cannot_lower_the_high() {
        let mut w = PriceWindow::default();
        w.record(2_000, 95, SPAN);
        w.record(2_001, 1, SPAN);
        assert_eq!(w.high(2_001, SPAN), Some(95));
    }

    #[test]
    fn a_reused_slot_is_not_read_as_an_old_bucket() {
        let mut w = PriceWindow::default();
        w.record(0, 500, SPAN); // bucket 0, slot 0
        w.record(200, 10, SPAN); // bucket 10, slot 0 again
        assert_eq!(w.high(200, SPAN), Some(10));
        assert_eq!(w.high(20, SPAN), None);
    }

    #[test]
    fn a_new_span_empties_the_ring() {
        let mut w = PriceWindow::default();
        w.record(1_000, 90, SPAN);
        assert_eq!(w.high(1_000, 2 * SPAN), None);
        w.record(1_001, 80, 2 * SPAN);
        assert_eq!(w.high(1_001, 2 * SPAN), Some(80));
        assert_eq!(w.high(1_001, SPAN), None);
    }

    #[test]
    fn floor_div_matches_div_euclid() {
        for t in [
            i64::MIN,
            i64::MIN + 1,
            -41,
            -40,
            -39,
            -1,
            0,
            1,
            39,
            40,
            41,
            i64::MAX,
        ] {
            for w in [1u32, 2, 7, 20, u32::MAX] {
                assert_eq!(floor_div(t, w), t.div_euclid(i64::from(w)), "{t} / {w}");
            }
        }
        for i in -25i64..25 {
            assert_eq!(PriceWindow::slot(i), i.rem_euclid(10) as usize);
        }
    }

    #[test]
    fn widths() {
        assert_eq!(bucket_secs_for(0), 1);
        assert_eq!(bucket_secs_for(8), 1);
        assert_eq!(bucket_secs_for(9), 2);
        assert_eq!(bucket_secs_for(180), 23);
        assert_eq!(bucket_secs_for(i64::MAX), u32::MAX);
    }

    #[test]
    fn any_window_fits_the_ring() {
        for span in [1i64, 7, 8, 9, 100, 180, 1_209_660] {
            let width = i64::from(bucket_secs_for(span));
            for anchor in [0i64, 1, width - 1, 12_345, 1_700_000_000] {
                let n = anchor.div_euclid(width) - (anchor - span).div_euclid(width) + 1;
                assert!(
                    n as usize <= WINDOW_BUCKETS,
                    "span {span} anchor {anchor}: {n}"
                );
            }
        }
    }
}
