use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, TransferChecked};

use crate::{
    constants::{SETTLEMENT_DEADLINE_SECS, SETTLEMENT_GRACE_SECS},
    errors::BackstopError,
    events::{SeriesSettled, SettlementCandidate},
    oracle::{self, Reading},
    state::{Series, SeriesStatus, SeriesStyle, SettlementSource, Vault},
    units,
};

/// Permissionless settlement at expiry `T`. A physical delivery series settles without a price
/// at `T + SETTLEMENT_GRACE_SECS` (docs/DESIGN.md section 7b): what was not delivered is not
/// exercised and its put tokens burn. A cash series settles by the ladder of section 7: the
/// first update at or after `T` settles at once; until `T + SETTLEMENT_GRACE_SECS` a later
/// update is only recorded as a candidate when it is earlier than the current one; after the
/// grace the earliest candidate is final (or, with none, a fresh update at or after `T`); after
/// `T + SETTLEMENT_DEADLINE_SECS` the update nearest to `T` however old, the candidate, or the
/// vault's last observed price settles, so settlement always ends. Pays what is still owed at
/// the price beyond the series' advances and burns every put token. Never paused.
#[event_cpi]
#[derive(Accounts)]
pub struct SettleSeries<'info> {
    #[account(
        mut,
        dup,
        has_one = recovery @ BackstopError::WrongRecoveryAccount,
        has_one = quote_mint @ BackstopError::WrongMint,
        constraint = crate::guards::distinct(&[vault.key(), series.key(), escrow.key(), put_mint.key(), holder.key(), recovery.key()]) @ BackstopError::DuplicateMutableAccount,
    )]
    pub vault: AccountLoader<'info, Vault>,

    #[account(
        mut,
        dup,
        has_one = vault @ BackstopError::WrongVault,
        has_one = escrow @ BackstopError::WrongSeriesAccount,
        has_one = put_mint @ BackstopError::WrongSeriesAccount,
        has_one = holder @ BackstopError::WrongSeriesAccount,
    )]
    pub series: Box<Account<'info, Series>>,

    #[account(mut, dup)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub put_mint: Box<Account<'info, Mint>>,
    #[account(mut, dup)]
    pub holder: Box<Account<'info, TokenAccount>>,
    #[account(mut, dup)]
    pub recovery: Box<Account<'info, TokenAccount>>,

    /// CHECK: the collateral `PriceUpdateV2`, validated by the `oracle` module. Optional only
    /// after the settlement deadline (the vault's last observed price then stands in).
    pub price_update: Option<UncheckedAccount<'info>>,

    pub quote_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
}

/// A settlement price and the publish time of its update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    pub price: u64,
    pub publish_time: i64,
}

/// What the update shown does to the settlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Settle now at this price, from this rung.
    Final(Quote, SettlementSource),
    /// Recorded as the earliest candidate so far.
    Candidate(Quote),
}

/// What `decide` knows besides the update shown.
#[derive(Clone, Copy, Debug)]
pub struct SettlementRules {
    pub expiry: i64,
    pub now: i64,
    pub max_age: i64,
    /// Earliest update at or after expiry shown so far.
    pub candidate: Option<Quote>,
    /// The vault's last observed price.
    pub last_observed: Option<Quote>,
    pub written_size: u64,
}

/// An update shown to `settle_series`: `narrow` when its confidence is within the vault's cap
/// (then `quote` is its price), else `quote` holds `price + conf`.
#[derive(Clone, Copy, Debug)]
pub struct Shown {
    pub quote: Quote,
    pub prev_publish_time: i64,
    pub narrow: bool,
}

fn distance(q: &Quote, expiry: i64) -> u64 {
    q.publish_time.abs_diff(expiry)
}

/// The ladder of docs/DESIGN.md section 7 (pure, unit-tested).
pub fn decide(l: &SettlementRules, shown: Option<Shown>) -> Result<Outcome> {
    require!(l.now >= l.expiry, BackstopError::SeriesNotExpired);
    let grace_end = l
        .expiry
        .checked_add(SETTLEMENT_GRACE_SECS)
        .ok_or(BackstopError::MathOverflow)?;
    let deadline = l
        .expiry
        .checked_add(SETTLEMENT_DEADLINE_SECS)
        .ok_or(BackstopError::MathOverflow)?;
    if l.now >= deadline {
        // Nearest to expiry among everything known, however old: settlement always ends.
        let mut best: Option<(Quote, SettlementSource)> = None;
        let options = [
            shown.map(|s| (s.quote, SettlementSource::NearestAfterDeadline)),
            l.candidate.map(|q| (q, SettlementSource::EarliestShown)),
            l.last_observed.map(|q| (q, SettlementSource::LastObserved)),
        ];
        for (q, source) in options.into_iter().flatten() {
            if best.is_none_or(|(b, _)| distance(&q, l.expiry) < distance(&b, l.expiry)) {
                best = Some((q, source));
            }
        }
        return match best {
            Some((q, source)) => Ok(Outcome::Final(q, source)),
            // Nothing was ever priced: only a series nobody wrote (every write records the
            // vault's last price), which owes nothing at any price.
            None if l.written_size == 0 => Ok(Outcome::Final(
                Quote {
                    price: 0,
                    publish_time: 0,
                },
                SettlementSource::LastObserved,
            )),
            None => err!(BackstopError::SettlementPriceMissing),
        };
    }
    if l.now >= grace_end {
        if let Some(c) = l.candidate {
            return Ok(Outcome::Final(c, SettlementSource::EarliestShown));
        }
    }
    let s = shown.ok_or(BackstopError::SettlementPriceMissing)?;
    require!(s.narrow, BackstopError::OracleConfidenceTooWide);
    let q = s.quote;
    require!(
        q.publish_time >= l.expiry,
        BackstopError::SettlementPriceTooEarly
    );
    if s.prev_publish_time < l.expiry {
        return Ok(Outcome::Final(q, SettlementSource::FirstUpdate));
    }
    if l.now < grace_end {
        let earlier = l.candidate.is_none_or(|c| q.publish_time < c.publish_time);
        return Ok(Outcome::Candidate(if earlier {
            q
        } else {
            l.candidate.unwrap_or(q)
        }));
    }
    let oldest = l
        .now
        .checked_sub(l.max_age)
        .ok_or(BackstopError::MathOverflow)?;
    require!(
        q.publish_time >= oldest,
        BackstopError::SettlementPriceStale
    );
    Ok(Outcome::Final(q, SettlementSource::FreshAfterGrace))
}

/// Reads the update shown to settlement: identity checks always apply; a stale update is fine
/// (the ladder checks times itself); a wide one counts at `price + conf`, and only after the
/// deadline. A non-positive price is no update at all.
fn shown(vault: &Vault, account: Option<&UncheckedAccount>) -> Result<Option<Shown>> {
    let Some(account) = account else {
        return Ok(None);
    };
    // Window freshness: any publish time; the ladder decides.
    let reading = oracle::read_reading(account, &vault.collateral_oracle(), i64::MIN, 0)?;
    Ok(match reading {
        Reading::Price { price, wide } => Some(Shown {
            quote: Quote {
                price: price.band(wide).1,
                publish_time: price.publish_time,
            },
            prev_publish_time: price.prev_publish_time,
            narrow: !wide,
        }),
        Reading::NoInformation => None,
    })
}

/// `(written, payout)` at expiry: what every written unit is worth at the settlement `price`
/// (`PRICE_SCALE`), rounded down, less what release steps already advanced (never below 0).
/// `strike` is in quote base units.
pub fn settlement_payout(
    strike: u64,
    price: u64,
    written_size: u64,
    advanced: u64,
    collateral_decimals: u8,
    quote_decimals: u8,
) -> Result<u64> {
    let strike = units::strike_to_price(strike, quote_decimals)?;
    let owed = units::intrinsic_for(
        strike,
        price,
        written_size,
        collateral_decimals,
        quote_decimals,
    )?;
    Ok(owed.saturating_sub(advanced))
}

/// What a settlement pays and burns, at which price and from which rung.
struct Settlement {
    price: u64,
    publish_time: i64,
    source: SettlementSource,
    payout: u64,
    burned: u64,
}

pub fn handler(ctx: Context<SettleSeries>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &ctx.accounts;
    require!(
        a.series.status == SeriesStatus::Open,
        BackstopError::SeriesNotOpen
    );
    require!(now >= a.series.expiry, BackstopError::SeriesNotExpired);
    if a.series.style == SeriesStyle::PhysicalDelivery {
        // No price: what was not delivered by the end of the grace hour is not exercised.
        let grace_end = a
            .series
            .expiry
            .checked_add(SETTLEMENT_GRACE_SECS)
            .ok_or(BackstopError::MathOverflow)?;
        require!(now >= grace_end, BackstopError::DeliveryWindowOpen);
        let burned = a
            .series
            .written_size
            .checked_sub(a.series.delivered_size)
            .ok_or(BackstopError::MathUnderflow)?;
        let settlement = Settlement {
            price: 0,
            publish_time: 0,
            source: SettlementSource::None,
            payout: 0,
            burned,
        };
        return finish(ctx, settlement);
    }
    let vault = a.vault.load()?;
    let shown = shown(&vault, a.price_update.as_ref())?;
    let series = &a.series;
    let last = vault.last_price;
    let (collateral_decimals, quote_decimals) = (vault.collateral_decimals, vault.quote_decimals);
    let ladder = SettlementRules {
        expiry: series.expiry,
        now,
        max_age: i64::from(vault.oracle.max_age_secs),
        candidate: (series.settlement_publish_time != 0).then_some(Quote {
            price: series.settlement_price,
            publish_time: series.settlement_publish_time,
        }),
        last_observed: (last.price != 0).then_some(Quote {
            price: last.price,
            publish_time: last.publish_time,
        }),
        written_size: series.written_size,
    };
    drop(vault);
    let (quote, source) = match decide(&ladder, shown)? {
        Outcome::Candidate(q) => {
            let series = &mut ctx.accounts.series;
            series.settlement_price = q.price;
            series.settlement_publish_time = q.publish_time;
            let event = SettlementCandidate {
                series: series.key(),
                price: q.price,
                publish_time: q.publish_time,
            };
            emit_cpi!(event);
            return Ok(());
        }
        Outcome::Final(q, source) => (q, source),
    };
    let series = &ctx.accounts.series;
    let payout = settlement_payout(
        series.strike,
        quote.price,
        series.written_size,
        series.advanced,
        collateral_decimals,
        quote_decimals,
    )?;
    let settlement = Settlement {
        price: quote.price,
        publish_time: quote.publish_time,
        source,
        payout,
        // Every put token goes: the advances and this payout are all the series will ever pay.
        burned: series.written_size,
    };
    finish(ctx, settlement)
}

/// Pays `payout` to the recovery account, burns the put tokens left, frees the unused budget
/// and marks the series settled.
fn finish(ctx: Context<SettleSeries>, s: Settlement) -> Result<()> {
    let a = &ctx.accounts;
    let series = &a.series;
    let (strike_le, expiry_le) = (series.strike.to_le_bytes(), series.expiry.to_le_bytes());
    let series_seeds = series.signer_seeds(&strike_le, &expiry_le);
    if s.payout > 0 {
        token::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.escrow.to_account_info(),
                    mint: a.quote_mint.to_account_info(),
                    to: a.recovery.to_account_info(),
                    authority: series.to_account_info(),
                },
                &[&series_seeds],
            ),
            s.payout,
            a.quote_mint.decimals,
        )?;
    }
    if s.burned > 0 {
        let signer = a.vault.load()?.signer();
        let vault_seeds = signer.seeds();
        token::burn(
            CpiContext::new_with_signer(
                a.token_program.key(),
                Burn {
                    mint: a.put_mint.to_account_info(),
                    from: a.holder.to_account_info(),
                    authority: a.vault.to_account_info(),
                },
                &[&vault_seeds],
            ),
            s.burned,
        )?;
    }

    let series = &mut ctx.accounts.series;
    series.payout_total = series
        .payout_total
        .checked_add(s.payout)
        .ok_or(BackstopError::MathOverflow)?;
    series.settlement_price = s.price;
    series.settlement_publish_time = s.publish_time;
    series.settlement_source = s.source;
    series.status = SeriesStatus::Settled;
    let budget_left = series
        .premium_budget
        .checked_sub(series.premium_paid)
        .ok_or(BackstopError::MathOverflow)?;
    let (series_key, advanced) = (series.key(), series.advanced);
    let vault_key = ctx.accounts.vault.key();
    let t = &mut ctx.accounts.vault.load_mut()?.totals;
    t.released = t
        .released
        .checked_add(s.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.escrowed = t
        .escrowed
        .checked_sub(s.payout)
        .ok_or(BackstopError::MathOverflow)?;
    t.committed_premium = t
        .committed_premium
        .checked_sub(budget_left)
        .ok_or(BackstopError::MathOverflow)?;
    let event = SeriesSettled {
        vault: vault_key,
        series: series_key,
        price: s.price,
        publish_time: s.publish_time,
        source: s.source,
        units: s.burned,
        payout: s.payout,
        advanced,
        budget_released: budget_left,
    };
    emit_cpi!(event);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    const T: i64 = 1_000_000;

    fn q(price: u64, publish_time: i64) -> Quote {
        Quote {
            price,
            publish_time,
        }
    }

    fn shown(price: u64, publish_time: i64, prev: i64, narrow: bool) -> Option<Shown> {
        Some(Shown {
            quote: q(price, publish_time),
            prev_publish_time: prev,
            narrow,
        })
    }

    fn ladder(now: i64) -> SettlementRules {
        SettlementRules {
            expiry: T,
            now,
            max_age: 60,
            candidate: None,
            last_observed: None,
            written_size: 1,
        }
    }

    #[test]
    fn rung_one_and_two_first_update_then_earliest_shown() {
        assert_eq!(
            decide(&ladder(T - 1), shown(5, T, T - 1, true)).unwrap_err(),
            BackstopError::SeriesNotExpired.into()
        );
        assert_eq!(
            decide(&ladder(T + 5), shown(5, T + 2, T - 1, true)).unwrap(),
            Outcome::Final(q(5, T + 2), SettlementSource::FirstUpdate)
        );
        let mut l = ladder(T + 100);
        assert_eq!(
            decide(&l, shown(7, T + 50, T + 40, true)).unwrap(),
            Outcome::Candidate(q(7, T + 50))
        );
        l.candidate = Some(q(7, T + 50));
        // A later update cannot replace an earlier candidate; an earlier one can.
        assert_eq!(
            decide(&l, shown(9, T + 90, T + 80, true)).unwrap(),
            Outcome::Candidate(q(7, T + 50))
        );
        assert_eq!(
            decide(&l, shown(6, T + 20, T + 10, true)).unwrap(),
            Outcome::Candidate(q(6, T + 20))
        );
        assert_eq!(
            decide(&l, shown(6, T + 20, T + 10, false)).unwrap_err(),
            BackstopError::OracleConfidenceTooWide.into()
        );
        assert_eq!(
            decide(&l, None).unwrap_err(),
            BackstopError::SettlementPriceMissing.into()
        );
        assert_eq!(
            decide(&l, shown(6, T - 20, T - 30, true)).unwrap_err(),
            BackstopError::SettlementPriceTooEarly.into()
        );
    }

    #[test]
    fn rung_three_after_the_grace() {
        let now = T + SETTLEMENT_GRACE_SECS;
        let mut l = ladder(now);
        assert_eq!(
            decide(&l, shown(8, now - 10, now - 20, true)).unwrap(),
            Outcome::Final(q(8, now - 10), SettlementSource::FreshAfterGrace)
        );
        assert_eq!(
            decide(&l, shown(8, now - 61, now - 70, true)).unwrap_err(),
            BackstopError::SettlementPriceStale.into()
        );
        l.candidate = Some(q(7, T + 50));
        assert_eq!(
            decide(&l, None).unwrap(),
            Outcome::Final(q(7, T + 50), SettlementSource::EarliestShown)
        );
    }

    #[test]
    fn rung_four_after_the_deadline_always_ends() {
        let now = T + SETTLEMENT_DEADLINE_SECS;
        let mut l = ladder(now);
        assert_eq!(
            decide(&l, None).unwrap_err(),
            BackstopError::SettlementPriceMissing.into()
        );
        l.written_size = 0;
        assert_eq!(
            decide(&l, None).unwrap(),
            Outcome::Final(q(0, 0), SettlementSource::LastObserved)
        );
        l.written_size = 1;
        l.last_observed = Some(q(40, T - 30));
        assert_eq!(
            decide(&l, None).unwrap(),
            Outcome::Final(q(40, T - 30), SettlementSource::LastObserved)
        );
        // However old, however wide: the nearest to expiry wins.
        assert_eq!(
            decide(&l, shown(44, T + 10, T - 5, false)).unwrap(),
            Outcome::Final(q(44, T + 10), SettlementSource::NearestAfterDeadline)
        );
        assert_eq!(
            decide(&l, shown(90, T - 86_400, T - 86_401, true)).unwrap(),
            Outcome::Final(q(40, T - 30), SettlementSource::LastObserved)
        );
        l.candidate = Some(q(41, T + 5));
        assert_eq!(
            decide(&l, shown(44, T + 10, T - 5, true)).unwrap(),
            Outcome::Final(q(41, T + 5), SettlementSource::EarliestShown)
        );
    }
}
