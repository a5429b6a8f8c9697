use anchor_lang::prelude::*;

use crate::math::SviParams;

/// SVI raw slice of one expiry, stored as annualised variance parameters (see `math::svi`):
/// `v(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2))`, total variance `w = v(k) * tau`.
/// Every field is fixed point with `math::PARAM_SCALE` (1e9, exponent -9).
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub struct SviSlice {
    pub a: i64,
    pub b: i64,
    pub rho: i64,
    pub m: i64,
    pub sigma: i64,
}

impl From<SviSlice> for SviParams {
    fn from(s: SviSlice) -> Self {
        SviParams {
            a: s.a,
            b: s.b,
            rho: s.rho,
            m: s.m,
            sigma: s.sigma,
        }
    }
}
