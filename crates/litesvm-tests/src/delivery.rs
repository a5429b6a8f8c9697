//! Physical delivery series (docs/DESIGN.md section 7b): a vault created with its collateral
//! mint, physical series, deliveries, and reclaims that return collateral.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{constants::COLLATERAL_SEED, instructions::OpenSeriesArgs, state::SeriesStyle};
use backstop_harness::*;

use crate::{event_authority, series::*, vault::*};

/// The series' collateral account (`["collateral", series]`).
pub fn collateral_pda(series: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[COLLATERAL_SEED, series.as_ref()], &backstop::ID).0
}

/// A market whose vault offers physical delivery, and the collateral mint it was created with.
pub struct PhysicalMarket {
    pub m: Market,
    pub collateral_mint: Pubkey,
}

impl PhysicalMarket {
    /// Vault created with a 9-decimal collateral mint, reserve funded, SOL at `spot_usd`.
    pub fn new(reserve: u64, spot_usd: u64) -> Self {
        let mut f = VaultFixture::new();
        let collateral_mint = f.offer_delivery();
        f.create_vault();
        Self {
            m: Market::funded(f, reserve, spot_usd),
            collateral_mint,
        }
    }

    /// Opens a physical series at `strike_usd` expiring in `days`.
    pub fn open_physical(&mut self, strike_usd: u64, days: i64) -> SeriesKeys {
        let m = &mut self.m;
        let (strike, expiry) = (strike_usd * USDC, m.now() + days * 86_400);
        let accounts = m.open_accounts(strike, expiry);
        let ix = accounts.ix(OpenSeriesArgs {
            style: SeriesStyle::PhysicalDelivery,
            ..Market::series_args(strike, expiry)
        });
        send_ok(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.risk]);
        accounts.keys
    }

    /// A token account of the collateral mint owned by `owner`, holding `amount` base units.
    pub fn collateral_account(&mut self, owner: &Pubkey, amount: u64) -> Pubkey {
        set_token_account(&mut self.m.f.env.svm, &self.collateral_mint, owner, amount)
    }

    pub fn deliver_accounts(
        &self,
        keys: SeriesKeys,
        deliverer: Pubkey,
        deliverer_collateral: Pubkey,
    ) -> backstop::accounts::DeliverCollateral {
        let f = &self.m.f;
        backstop::accounts::DeliverCollateral {
            payer: f.payer.pubkey(),
            deliverer,
            vault: f.vault(),
            series: keys.series,
            collateral: collateral_pda(&keys.series),
            deliverer_collateral,
            escrow: keys.escrow,
            put_mint: keys.put_mint,
            holder: keys.holder,
            recovery: f.recovery,
            collateral_mint: self.collateral_mint,
            quote_mint: f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            system_program: anchor_lang::system_program::ID,
            event_authority: event_authority(),
            program: backstop::ID,
        }
    }

    pub fn deliver_with(
        &mut self,
        accounts: backstop::accounts::DeliverCollateral,
        deliverer: &Keypair,
        size: u64,
    ) -> TxResult {
        let ix = Instruction {
            program_id: backstop::ID,
            accounts: accounts.to_account_metas(None),
            data: backstop::instruction::DeliverCollateral { size }.data(),
        };
        let payer = self.m.f.payer.insecure_clone();
        send(&mut self.m.f.env.svm, &[ix], &payer, &[&payer, deliverer])
    }

    /// The vault authority delivers `size` from `from`.
    pub fn deliver(&mut self, keys: SeriesKeys, from: Pubkey, size: u64) -> TxResult {
        let protocol = self.m.f.protocol.insecure_clone();
        let accounts = self.deliver_accounts(keys, protocol.pubkey(), from);
        self.deliver_with(accounts, &protocol, size)
    }

    /// `reclaim` with the collateral accounts of a physical series.
    pub fn reclaim_physical_accounts(
        &self,
        keys: SeriesKeys,
        writer: &Writer,
        writer_collateral: Pubkey,
    ) -> backstop::accounts::Reclaim {
        backstop::accounts::Reclaim {
            collateral: Some(collateral_pda(&keys.series)),
            writer_collateral: Some(writer_collateral),
            collateral_mint: Some(self.collateral_mint),
            ..self.m.reclaim_accounts(keys, writer)
        }
    }

    /// `close_series` with the series' collateral account.
    pub fn close_physical_accounts(&self, keys: SeriesKeys) -> backstop::accounts::CloseSeries {
        backstop::accounts::CloseSeries {
            collateral: Some(collateral_pda(&keys.series)),
            ..self.m.close_accounts(keys)
        }
    }
}
