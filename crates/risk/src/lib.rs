//! A Monte Carlo of what a Backstop vault delivers to the protected protocol (host only, f64):
//! the exact release rules of docs/DESIGN.md sections 5-7 — a breach confirmed after the
//! persistence window, release steps once per slot of the release grid at the held price (the
//! highest price observed over `2 x persistence + max_age`), advances that ratchet, the epoch
//! cap, settlement of what is still owed at expiry — on lognormal paths at the SVI volatility
//! of the strike, with antithetic variates. It holds the program's premium to fair value.

pub mod closed_form;

/// splitmix64 and Box-Muller: small, deterministic for a seed, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Two independent standard normals.
    pub fn normals(&mut self) -> (f64, f64) {
        let (u, v) = (self.uniform(), self.uniform());
        let r = (-2.0 * u.ln()).sqrt();
        let t = 2.0 * std::f64::consts::PI * v;
        (r * t.cos(), r * t.sin())
    }
}

/// What makes the vault's breach true at a price.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    /// Collateral price at or below the level (the barrier, or the joint trigger's collateral
    /// leg with the stablecoin assumed depegged: the conservative reading for writers).
    AtOrBelow(f64),
    /// Always breached: a protocol-reported ratio lets the holder choose the moment.
    Always,
}

impl Trigger {
    fn breached(&self, price: f64) -> bool {
        match *self {
            Trigger::AtOrBelow(level) => price <= level,
            Trigger::Always => true,
        }
    }
}

/// The series and the vault's rules, prices per unit of collateral.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub spot: f64,
    pub strike: f64,
    /// Annualised volatility at the strike (from the SVI slice).
    pub vol: f64,
    pub tenor_secs: f64,
    pub rate: f64,
    pub trigger: Trigger,
    pub persistence_secs: f64,
    pub max_age_secs: f64,
    pub release_interval_secs: f64,
    /// Most a step may release, per unit (the epoch cap, scaled to the series); infinite for
    /// none. Counted per step: a conservative reading of a per-epoch cap.
    pub cap_per_step: f64,
    /// How often keepers observe (the simulation step), seconds.
    pub observe_secs: f64,
}

/// A Monte Carlo estimate: mean and standard error of the discounted delivered payoff.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub se: f64,
}

/// The discounted delivered payoff of one path of standard normals `z` (one per step).
fn delivered(c: &Case, z: &[f64]) -> f64 {
    let dt = c.observe_secs / 31_536_000.0;
    let drift = (c.rate - 0.5 * c.vol * c.vol) * dt;
    let diffusion = c.vol * dt.sqrt();
    let span = 2.0 * c.persistence_secs + c.max_age_secs;
    let window_len = (span / c.observe_secs).ceil() as usize + 1;
    let mut window: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let mut price = c.spot;
    let mut first_seen: Option<f64> = None;
    let mut last_slot: Option<i64> = None;
    let mut advanced: f64 = 0.0;
    let mut t = 0.0;
    window.push_back(price);
    for zi in z {
        t += c.observe_secs;
        price *= (drift + diffusion * zi).exp();
        if window.len() == window_len {
            window.pop_front();
        }
        window.push_back(price);
        if t >= c.tenor_secs {
            break;
        }
        if c.trigger.breached(price) {
            let start = *first_seen.get_or_insert(t);
            let confirmed = t - start >= c.persistence_secs;
            let slot = (t / c.release_interval_secs).floor() as i64;
            if confirmed && last_slot.is_none_or(|s| slot > s) {
                let held = window.iter().copied().fold(f64::MIN, f64::max);
                let owed = (c.strike - held).max(0.0);
                if owed > advanced {
                    advanced += (owed - advanced).min(c.cap_per_step);
                    last_slot = Some(slot);
                }
            }
        } else {
            first_seen = None;
        }
    }
    let at_expiry = (c.strike - price).max(0.0);
    (-c.rate * c.tenor_secs / 31_536_000.0).exp() * advanced.max(at_expiry)
}

/// The Monte Carlo fair value of what the vault delivers for `case`, with `pairs` antithetic
/// pairs of paths.
pub fn fair_value(c: &Case, pairs: usize, seed: u64) -> Estimate {
    let steps = (c.tenor_secs / c.observe_secs).ceil() as usize;
    let mut rng = Rng::new(seed);
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    let mut z = vec![0.0; steps];
    let mut neg = vec![0.0; steps];
    for _ in 0..pairs {
        let mut i = 0;
        while i < steps {
            let (a, b) = rng.normals();
            z[i] = a;
            if i + 1 < steps {
                z[i + 1] = b;
            }
            i += 2;
        }
        for (n, x) in neg.iter_mut().zip(&z) {
            *n = -x;
        }
        // One sample per antithetic pair: their average.
        let v = 0.5 * (delivered(c, &z) + delivered(c, &neg));
        sum += v;
        sum_sq += v * v;
    }
    let n = pairs as f64;
    let mean = sum / n;
    let var = (sum_sq / n - mean * mean).max(0.0) * n / (n - 1.0).max(1.0);
    Estimate {
        mean,
        se: (var / n).sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::closed_form::{european_put, lookback_put_bgk};
    use super::*;

    fn case(trigger: Trigger) -> Case {
        Case {
            spot: 1.0,
            strike: 0.8,
            vol: 0.8,
            tenor_secs: 30.0 * 86_400.0,
            rate: 0.0,
            trigger,
            persistence_secs: 0.0,
            max_age_secs: 0.0,
            release_interval_secs: 3_600.0,
            cap_per_step: f64::INFINITY,
            observe_secs: 3_600.0,
        }
    }

    #[test]
    fn always_breached_with_no_persistence_is_the_discrete_lookback() {
        // Steps every hour at the hourly price: exactly the hourly lookback, which BGK prices.
        let c = case(Trigger::Always);
        let mc = fair_value(&c, 4_000, 7);
        let bgk = lookback_put_bgk(1.0, 0.8, 0.8, 30.0 / 365.0, 0.0, 3_600.0 / 31_536_000.0);
        println!(
            "hourly lookback: MC {:.5} +- {:.5}, BGK {bgk:.5}",
            mc.mean, mc.se
        );
        assert!(
            (mc.mean - bgk).abs() <= 3.0 * mc.se + 0.01 * bgk,
            "{mc:?} vs {bgk}"
        );
    }

    #[test]
    fn rules_only_take_value_away_from_the_lookback() {
        let always = fair_value(&case(Trigger::Always), 1_000, 3).mean;
        let european = european_put(1.0, 0.8, 0.8, 30.0 / 365.0, 0.0);
        // A barrier below the strike, a persistence window and a held-price window each
        // deliver less than the plain lookback, and never less than the European put.
        let barrier = fair_value(&case(Trigger::AtOrBelow(0.7)), 1_000, 3).mean;
        let persistent = fair_value(
            &Case {
                persistence_secs: 4.0 * 3_600.0,
                max_age_secs: 60.0,
                ..case(Trigger::Always)
            },
            1_000,
            3,
        )
        .mean;
        println!("european {european:.5} barrier {barrier:.5} persistent {persistent:.5} always {always:.5}");
        assert!(barrier < always && persistent < always);
        assert!(barrier > european * 0.97 && persistent > european * 0.97);
    }

    #[test]
    fn antithetic_pairs_reduce_the_error() {
        let c = case(Trigger::Always);
        let est = fair_value(&c, 2_000, 11);
        assert!(est.se > 0.0 && est.se < 0.05 * est.mean, "{est:?}");
    }
}
