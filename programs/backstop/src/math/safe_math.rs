//! Checked arithmetic that returns [`MathError`] instead of panicking or wrapping.
//!
//! Every method is `#[track_caller]` so a debugger or a future logging hook sees the call site,
//! and `#[inline(always)]` so the checks cost a compare-and-branch on SBPF, not a call.

use super::error::MathError;

/// SafeMath-style checked operations.
pub trait SafeMath: Sized {
    /// `self + rhs`, or [`MathError::Overflow`].
    fn safe_add(self, rhs: Self) -> Result<Self, MathError>;
    /// `self - rhs`, or [`MathError::Underflow`] (unsigned below zero) / [`MathError::Overflow`]
    /// (signed out of range).
    fn safe_sub(self, rhs: Self) -> Result<Self, MathError>;
    /// `self * rhs`, or [`MathError::Overflow`].
    fn safe_mul(self, rhs: Self) -> Result<Self, MathError>;
    /// `self / rhs` (truncating), or [`MathError::DivisionByZero`] / [`MathError::Overflow`]
    /// (`MIN / -1`).
    fn safe_div(self, rhs: Self) -> Result<Self, MathError>;
    /// `self % rhs`, or [`MathError::DivisionByZero`] / [`MathError::Overflow`].
    fn safe_rem(self, rhs: Self) -> Result<Self, MathError>;
}

macro_rules! impl_safe_math {
    ($t:ty, $sub_err:expr) => {
        impl SafeMath for $t {
            #[track_caller]
            #[inline(always)]
            fn safe_add(self, rhs: Self) -> Result<Self, MathError> {
                self.checked_add(rhs).ok_or(MathError::Overflow)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_sub(self, rhs: Self) -> Result<Self, MathError> {
                self.checked_sub(rhs).ok_or($sub_err)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_mul(self, rhs: Self) -> Result<Self, MathError> {
                self.checked_mul(rhs).ok_or(MathError::Overflow)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_div(self, rhs: Self) -> Result<Self, MathError> {
                if rhs == 0 {
                    return Err(MathError::DivisionByZero);
                }
                self.checked_div(rhs).ok_or(MathError::Overflow)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_rem(self, rhs: Self) -> Result<Self, MathError> {
                if rhs == 0 {
                    return Err(MathError::DivisionByZero);
                }
                self.checked_rem(rhs).ok_or(MathError::Overflow)
            }
        }
    };
}

impl_safe_math!(u32, MathError::Underflow);
impl_safe_math!(u64, MathError::Underflow);
impl_safe_math!(u128, MathError::Underflow);
impl_safe_math!(usize, MathError::Underflow);
impl_safe_math!(i64, MathError::Overflow);
impl_safe_math!(i128, MathError::Overflow);

/// Checked negation of a signed value, or [`MathError::Overflow`] for `MIN`.
#[track_caller]
#[inline(always)]
pub fn safe_neg_i64(x: i64) -> Result<i64, MathError> {
    x.checked_neg().ok_or(MathError::Overflow)
}

/// Checked negation of an `i128`, or [`MathError::Overflow`] for `MIN`.
#[track_caller]
#[inline(always)]
pub fn safe_neg_i128(x: i128) -> Result<i128, MathError> {
    x.checked_neg().ok_or(MathError::Overflow)
}

/// `u128 -> u64`, or [`MathError::Overflow`] if it does not fit.
#[track_caller]
#[inline(always)]
pub fn to_u64(x: u128) -> Result<u64, MathError> {
    u64::try_from(x).map_err(|_| MathError::Overflow)
}

/// `u64 -> i64`, or [`MathError::Overflow`] if it does not fit.
#[track_caller]
#[inline(always)]
pub fn u64_to_i64(x: u64) -> Result<i64, MathError> {
    i64::try_from(x).map_err(|_| MathError::Overflow)
}

/// `i128 -> i64`, or [`MathError::Overflow`] if it does not fit.
#[track_caller]
#[inline(always)]
pub fn i128_to_i64(x: i128) -> Result<i64, MathError> {
    i64::try_from(x).map_err(|_| MathError::Overflow)
}

/// `i128 -> u128` for a value known to be non-negative, or [`MathError::Underflow`].
#[track_caller]
#[inline(always)]
pub fn i128_to_u128(x: i128) -> Result<u128, MathError> {
    u128::try_from(x).map_err(|_| MathError::Underflow)
}

/// `u128 -> i128`, or [`MathError::Overflow`] if it does not fit.
#[track_caller]
#[inline(always)]
pub fn u128_to_i128(x: u128) -> Result<i128, MathError> {
    i128::try_from(x).map_err(|_| MathError::Overflow)
}
