//! Series fixtures: open a series, write puts, and price accounts for the oracle.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{
    constants::*,
    instructions::{OpenSeriesArgs, WritePutArgs},
    state::{SeriesStyle, SviSlice},
};
use backstop_harness::*;

use crate::{event_authority, vault::*};

pub fn series_pda(vault: &Pubkey, strike: u64, expiry: i64) -> Pubkey {
    Pubkey::find_program_address(
        &[
            SERIES_SEED,
            vault.as_ref(),
            &strike.to_le_bytes(),
            &expiry.to_le_bytes(),
        ],
        &backstop::ID,
    )
    .0
}

fn child(seed: &[u8], series: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[seed, series.as_ref()], &backstop::ID).0
}

pub fn position_pda(series: &Pubkey, writer: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[POSITION_SEED, series.as_ref(), writer.as_ref()],
        &backstop::ID,
    )
    .0
}

/// A 60 % annualised flat-ish skew (a = 0.36) with a mild put wing.
pub fn default_svi() -> SviSlice {
    SviSlice {
        a: 360_000_000,
        b: 100_000_000,
        rho: -500_000_000,
        m: 0,
        sigma: 100_000_000,
    }
}

/// Addresses of one series and its token accounts.
#[derive(Clone, Copy, Debug)]
pub struct SeriesKeys {
    pub series: Pubkey,
    pub escrow: Pubkey,
    pub put_mint: Pubkey,
    pub holder: Pubkey,
    pub strike: u64,
    pub expiry: i64,
}

impl SeriesKeys {
    pub fn new(vault: &Pubkey, strike: u64, expiry: i64) -> Self {
        let series = series_pda(vault, strike, expiry);
        Self {
            series,
            escrow: child(ESCROW_SEED, &series),
            put_mint: child(PUT_MINT_SEED, &series),
            holder: child(HOLDER_SEED, &series),
            strike,
            expiry,
        }
    }
}

/// Accounts of `open_series`, editable before building.
#[derive(Clone)]
pub struct OpenSeriesAccounts {
    pub payer: Pubkey,
    pub risk_authority: Pubkey,
    pub vault: Pubkey,
    pub reserve: Pubkey,
    pub keys: SeriesKeys,
    pub quote_mint: Pubkey,
}

impl OpenSeriesAccounts {
    pub fn ix(&self, args: OpenSeriesArgs) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::OpenSeries {
                payer: self.payer,
                risk_authority: self.risk_authority,
                config: crate::config_pda(),
                vault: self.vault,
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
            data: backstop::instruction::OpenSeries { args }.data(),
        }
    }
}

/// Accounts of `write_put`, editable before building.
#[derive(Clone)]
pub struct WritePutAccounts {
    pub writer: Pubkey,
    pub vault: Pubkey,
    pub keys: SeriesKeys,
    pub position: Pubkey,
    pub writer_token: Pubkey,
    pub reserve: Pubkey,
    pub price_update: Pubkey,
    pub quote_mint: Pubkey,
}

impl WritePutAccounts {
    pub fn ix(&self, args: WritePutArgs) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::WritePut {
                writer: self.writer,
                config: crate::config_pda(),
                vault: self.vault,
                series: self.keys.series,
                position: self.position,
                writer_token: self.writer_token,
                reserve: self.reserve,
                escrow: self.keys.escrow,
                put_mint: self.keys.put_mint,
                holder: self.keys.holder,
                price_update: self.price_update,
                quote_mint: self.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::WritePut { args }.data(),
        }
    }
}

/// A market maker with a funded quote account.
pub struct Writer {
    pub key: Keypair,
    pub token: Pubkey,
}

/// A created and funded vault, a collateral price account, and helpers for series and writers.
pub struct Market {
    pub f: VaultFixture,
    pub price_account: Pubkey,
    pub depeg_account: Pubkey,
}

impl Market {
    /// Vault created, reserve funded with `reserve` quote base units, SOL at `spot_usd`.
    pub fn new(reserve: u64, spot_usd: u64) -> Self {
        Self::from_fixture(VaultFixture::new(), reserve, spot_usd)
    }

    pub fn from_fixture(mut f: VaultFixture, reserve: u64, spot_usd: u64) -> Self {
        f.create_vault();
        Self::funded(f, reserve, spot_usd)
    }

    /// Like [`Market::new`], with the vault's settings edited first.
    pub fn with_settings(
        reserve: u64,
        spot_usd: u64,
        edit: impl FnOnce(&mut backstop::instructions::CreateVaultArgs),
    ) -> Self {
        let mut f = VaultFixture::new();
        let mut args = f.args();
        edit(&mut args);
        let ix = f.create.ix(args);
        send_ok(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]);
        Self::funded(f, reserve, spot_usd)
    }

    pub fn funded(mut f: VaultFixture, reserve: u64, spot_usd: u64) -> Self {
        if reserve > 0 {
            let ix = f.reserve_accounts().fund_ix(reserve);
            send_ok(&mut f.env.svm, &[ix], &f.payer, &[&f.protocol]);
        }
        let mut m = Self {
            f,
            price_account: Pubkey::new_unique(),
            depeg_account: Pubkey::new_unique(),
        };
        m.set_price(spot_usd as i64 * 100_000_000, 5_000_000);
        m.set_depeg_price(100_000_000);
        m
    }

    pub fn now(&self) -> i64 {
        clock(&self.f.env.svm).unix_timestamp
    }

    /// Writes the collateral feed's update at the current time (`price` and `conf` at 10^-8).
    pub fn set_price(&mut self, price: i64, conf: u64) {
        let now = self.now();
        let update = PriceUpdate::new(SOL_FEED, price, conf, -8, now);
        write_price_update(&mut self.f.env.svm, self.price_account, &update);
    }

    pub fn open_accounts(&self, strike: u64, expiry: i64) -> OpenSeriesAccounts {
        OpenSeriesAccounts {
            payer: self.f.payer.pubkey(),
            risk_authority: self.f.risk.pubkey(),
            vault: self.f.vault(),
            reserve: self.f.reserve(),
            keys: SeriesKeys::new(&self.f.vault(), strike, expiry),
            quote_mint: self.f.quote_mint,
        }
    }

    pub fn series_args(strike: u64, expiry: i64) -> OpenSeriesArgs {
        OpenSeriesArgs {
            strike,
            expiry,
            svi: default_svi(),
            size_cap: 10_000 * 1_000_000_000,
            premium_budget: 100_000 * USDC,
            style: SeriesStyle::CashRatchet,
        }
    }

    /// Opens a series at `strike` USDC expiring in `days`.
    pub fn open_series(&mut self, strike_usd: u64, days: i64) -> SeriesKeys {
        let (strike, expiry) = (strike_usd * USDC, self.now() + days * 86_400);
        let accounts = self.open_accounts(strike, expiry);
        let ix = accounts.ix(Self::series_args(strike, expiry));
        send_ok(&mut self.f.env.svm, &[ix], &self.f.payer, &[&self.f.risk]);
        accounts.keys
    }

    /// A writer holding `usdc` whole quote tokens, written straight into the SVM (fast; the
    /// tokens were never minted, so count them from the writer's starting balance).
    pub fn quick_writer(&mut self, usdc: u64) -> Writer {
        let key = keypair_with_lamports(&mut self.f.env.svm, DEFAULT_FUNDING);
        let token = set_token_account(
            &mut self.f.env.svm,
            &self.f.quote_mint,
            &key.pubkey(),
            usdc * USDC,
        );
        Writer { key, token }
    }

    /// A writer holding `usdc` whole quote tokens.
    pub fn writer(&mut self, usdc: u64) -> Writer {
        let key = self.f.env.funded();
        let token = create_token_account(
            &mut self.f.env.svm,
            &self.f.payer,
            &self.f.quote_mint,
            &key.pubkey(),
        );
        mint_to(
            &mut self.f.env.svm,
            &self.f.payer,
            &self.f.quote_mint,
            &self.f.mint_authority,
            &token,
            usdc * USDC,
        );
        Writer { key, token }
    }

    pub fn write_accounts(&self, writer: &Writer, keys: SeriesKeys) -> WritePutAccounts {
        WritePutAccounts {
            writer: writer.key.pubkey(),
            vault: self.f.vault(),
            keys,
            position: position_pda(&keys.series, &writer.key.pubkey()),
            writer_token: writer.token,
            reserve: self.f.reserve(),
            price_update: self.price_account,
            quote_mint: self.f.quote_mint,
        }
    }

    pub fn write(
        &mut self,
        writer: &Writer,
        keys: SeriesKeys,
        size: u64,
        min_premium: u64,
    ) -> TxResult {
        let ix = self
            .write_accounts(writer, keys)
            .ix(WritePutArgs { size, min_premium });
        send(&mut self.f.env.svm, &[ix], &self.f.payer, &[&writer.key])
    }
}
