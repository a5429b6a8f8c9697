//! Continuous coverage (docs/DESIGN.md section 7c): the ladder template, `set_ladder` and
//! `roll_series`, and a market that rolls its rungs.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, AccountDeserialize, InstructionData,
    ToAccountMetas,
};
use backstop::{
    constants::LADDER_SEED,
    instructions::RollSeriesArgs,
    state::{Ladder, LadderTemplate, SeriesStyle},
};
use backstop_harness::*;

use crate::{event_authority, series::*, vault::*};

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

pub fn ladder_pda(vault: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[LADDER_SEED, vault.as_ref()], &backstop::ID).0
}

/// One-day series at 80 % and 90 % of spot on a $1 grid, two hours of overlap, 100 SOL each,
/// 1,000 USDC of budget each, the default skew.
pub fn daily_template() -> LadderTemplate {
    LadderTemplate {
        tenor_secs: DAY as u32,
        overlap_secs: 2 * HOUR as u32,
        strikes_bps: [8_000, 9_000, 0, 0],
        strike_tick: USDC,
        style: SeriesStyle::CashRatchet,
        size_cap: 100 * 1_000_000_000,
        budget_per_series: 1_000 * USDC,
        svi: default_svi(),
    }
}

/// Accounts of `set_ladder`, editable before building.
#[derive(Clone)]
pub struct SetLadderAccounts {
    pub payer: Pubkey,
    pub risk_authority: Pubkey,
    pub vault: Pubkey,
    pub ladder: Pubkey,
}

impl SetLadderAccounts {
    pub fn ix(&self, template: LadderTemplate) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::SetLadder {
                payer: self.payer,
                risk_authority: self.risk_authority,
                vault: self.vault,
                ladder: self.ladder,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::SetLadder { template }.data(),
        }
    }
}

/// Accounts of `roll_series`, editable before building.
#[derive(Clone)]
pub struct RollSeriesAccounts {
    pub payer: Pubkey,
    pub vault: Pubkey,
    pub ladder: Pubkey,
    pub price_update: Pubkey,
    pub reserve: Pubkey,
    pub keys: SeriesKeys,
    pub quote_mint: Pubkey,
}

impl RollSeriesAccounts {
    pub fn ix(&self, rung: u8) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::RollSeries {
                payer: self.payer,
                config: crate::config_pda(),
                vault: self.vault,
                ladder: self.ladder,
                price_update: self.price_update,
                reserve: self.reserve,
                series: self.keys.series,
                escrow: self.keys.escrow,
                put_mint: self.keys.put_mint,
                holder: self.keys.holder,
                quote_mint: self.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::RollSeries {
                args: RollSeriesArgs {
                    rung,
                    strike: self.keys.strike,
                    expiry: self.keys.expiry,
                },
            }
            .data(),
        }
    }
}

/// The grid strike at or below `spot x bps` (what a keeper names; the program also accepts the
/// grid point above).
pub fn rung_strike(spot_usd_cents: i64, bps: u16, tick: u64) -> u64 {
    let target = spot_usd_cents as u64 * USDC / 100 * u64::from(bps) / 10_000;
    let tick = tick.max(1); // a stopped template has none
    target / tick * tick
}

/// The expiry a roll at `now` names: on schedule while the rung's series lives, else the whole
/// hour at most one tenor away.
pub fn rung_expiry(ladder: &Ladder, rung: usize, now: i64) -> i64 {
    let r = ladder.rungs[rung];
    let tenor = i64::from(ladder.template.tenor_secs);
    if r.series != Pubkey::default() && now < r.expiry {
        r.expiry + tenor
    } else {
        let latest = now + tenor;
        latest - latest % HOUR
    }
}

impl Market {
    pub fn ladder(&self) -> Pubkey {
        ladder_pda(&self.f.vault())
    }

    pub fn set_ladder_accounts(&self) -> SetLadderAccounts {
        SetLadderAccounts {
            payer: self.f.payer.pubkey(),
            risk_authority: self.f.risk.pubkey(),
            vault: self.f.vault(),
            ladder: self.ladder(),
        }
    }

    pub fn set_ladder(&mut self, template: LadderTemplate) -> TxResult {
        let ix = self.set_ladder_accounts().ix(template);
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[&self.f.risk])
    }

    pub fn read_ladder(&self) -> Ladder {
        let acc = self
            .f
            .env
            .svm
            .get_account(&self.ladder())
            .expect("ladder exists");
        Ladder::try_deserialize(&mut acc.data.as_slice()).expect("ladder data")
    }

    /// `roll_series` for the series at `strike` and `expiry`, paid by `payer`.
    pub fn roll_accounts(&self, payer: &Pubkey, strike: u64, expiry: i64) -> RollSeriesAccounts {
        RollSeriesAccounts {
            payer: *payer,
            vault: self.f.vault(),
            ladder: self.ladder(),
            price_update: self.price_account,
            reserve: self.f.reserve(),
            keys: SeriesKeys::new(&self.f.vault(), strike, expiry),
            quote_mint: self.f.quote_mint,
        }
    }

    /// What a keeper at `spot_usd_cents` names for `rung` now: its strike and expiry.
    pub fn rung_terms(&self, rung: usize, spot_usd_cents: i64) -> (u64, i64) {
        let l = self.read_ladder();
        let strike = rung_strike(
            spot_usd_cents,
            l.template.strikes_bps[rung],
            l.template.strike_tick,
        );
        (strike, rung_expiry(&l, rung, self.now()))
    }

    /// Rolls `rung` as a keeper would at `spot_usd_cents` (the price account must hold it).
    pub fn roll(&mut self, keeper: &Keypair, rung: u8, spot_usd_cents: i64) -> TxResult {
        let (strike, expiry) = self.rung_terms(usize::from(rung), spot_usd_cents);
        let ix = self
            .roll_accounts(&keeper.pubkey(), strike, expiry)
            .ix(rung);
        send(&mut self.f.env.svm, &[ix], keeper, &[])
    }
}
