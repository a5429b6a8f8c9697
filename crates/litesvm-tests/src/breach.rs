//! Breach observation, solvency reports and release (trigger) builders on a [`Market`].
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::instructions::ReportSolvencyArgs;
use backstop_harness::*;

use crate::{event_authority, series::*, vault::*};

/// A keeper with a quote token account for its tips.
pub struct Keeper {
    pub key: Keypair,
    pub token: Pubkey,
}

impl Market {
    /// Writes the stablecoin feed's update at the current time (10^-8).
    pub fn set_depeg_price(&mut self, price: i64) {
        let now = self.now();
        let update = PriceUpdate::new(USDC_FEED, price, 10_000, -8, now);
        write_price_update(&mut self.f.env.svm, self.depeg_account, &update);
    }

    /// Moves the clock and publishes a new collateral price (and a healthy $1 stablecoin).
    pub fn tick(&mut self, seconds: i64, spot_cents: i64) {
        advance_seconds(&mut self.f.env.svm, seconds);
        self.set_price(spot_cents * 1_000_000, 5_000_000);
        self.set_depeg_price(100_000_000);
    }

    pub fn observe_ix(&self) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::ObserveBreach {
                vault: self.f.vault(),
                price_update: self.price_account,
                depeg_price_update: Some(self.depeg_account),
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::ObserveBreach {}.data(),
        }
    }

    pub fn observe(&mut self) -> TxResult {
        let ix = self.observe_ix();
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[])
    }

    pub fn report_ix(&self, reporter: &Pubkey, args: ReportSolvencyArgs) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::ReportSolvency {
                reporter: *reporter,
                vault: self.f.vault(),
                price_update: self.price_account,
                depeg_price_update: Some(self.depeg_account),
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::ReportSolvency { args }.data(),
        }
    }

    pub fn keeper(&mut self) -> Keeper {
        let key = self.f.env.funded();
        let token = create_token_account(
            &mut self.f.env.svm,
            &self.f.payer,
            &self.f.quote_mint,
            &key.pubkey(),
        );
        Keeper { key, token }
    }

    pub fn trigger_accounts(
        &self,
        keeper: &Keeper,
        keys: SeriesKeys,
    ) -> backstop::accounts::Trigger {
        backstop::accounts::Trigger {
            keeper: keeper.key.pubkey(),
            vault: self.f.vault(),
            series: keys.series,
            escrow: keys.escrow,
            recovery: self.f.recovery,
            reserve: self.f.reserve(),
            keeper_token: keeper.token,
            price_update: self.price_account,
            depeg_price_update: Some(self.depeg_account),
            quote_mint: self.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: event_authority(),
            program: backstop::ID,
        }
    }

    pub fn trigger_ix(accounts: backstop::accounts::Trigger) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: accounts.to_account_metas(None),
            data: backstop::instruction::Trigger {}.data(),
        }
    }

    pub fn trigger(&mut self, keeper: &Keeper, keys: SeriesKeys) -> TxResult {
        let ix = Self::trigger_ix(self.trigger_accounts(keeper, keys));
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[&keeper.key])
    }
}

impl Market {
    /// Writes a collateral update with explicit publish times (settlement tests).
    pub fn set_price_at(
        &mut self,
        account: Pubkey,
        cents: i64,
        publish_time: i64,
        prev_publish_time: i64,
    ) {
        let mut update = PriceUpdate::new(SOL_FEED, cents * 1_000_000, 5_000_000, -8, publish_time);
        update.prev_publish_time = prev_publish_time;
        write_price_update(&mut self.f.env.svm, account, &update);
    }

    pub fn settle_accounts(
        &self,
        keys: SeriesKeys,
        price_update: Pubkey,
    ) -> backstop::accounts::SettleSeries {
        backstop::accounts::SettleSeries {
            vault: self.f.vault(),
            series: keys.series,
            escrow: keys.escrow,
            put_mint: keys.put_mint,
            holder: keys.holder,
            recovery: self.f.recovery,
            price_update: Some(price_update),
            quote_mint: self.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: event_authority(),
            program: backstop::ID,
        }
    }

    pub fn settle_with(&mut self, accounts: backstop::accounts::SettleSeries) -> TxResult {
        let ix = Instruction {
            program_id: backstop::ID,
            accounts: accounts.to_account_metas(None),
            data: backstop::instruction::SettleSeries {}.data(),
        };
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[])
    }

    pub fn settle(&mut self, keys: SeriesKeys, price_update: Pubkey) -> TxResult {
        self.settle_with(self.settle_accounts(keys, price_update))
    }

    pub fn reclaim_accounts(
        &self,
        keys: SeriesKeys,
        writer: &Writer,
    ) -> backstop::accounts::Reclaim {
        backstop::accounts::Reclaim {
            vault: self.f.vault(),
            series: keys.series,
            position: position_pda(&keys.series, &writer.key.pubkey()),
            writer: writer.key.pubkey(),
            writer_token: writer.token,
            escrow: keys.escrow,
            quote_mint: self.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: event_authority(),
            program: backstop::ID,
            collateral: None,
            writer_collateral: None,
            collateral_mint: None,
        }
    }

    pub fn reclaim_with(&mut self, accounts: backstop::accounts::Reclaim) -> TxResult {
        let ix = Instruction {
            program_id: backstop::ID,
            accounts: accounts.to_account_metas(None),
            data: backstop::instruction::Reclaim {}.data(),
        };
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[])
    }

    pub fn reclaim(&mut self, keys: SeriesKeys, writer: &Writer) -> TxResult {
        self.reclaim_with(self.reclaim_accounts(keys, writer))
    }
}

impl Market {
    pub fn close_accounts(&self, keys: SeriesKeys) -> backstop::accounts::CloseSeries {
        backstop::accounts::CloseSeries {
            vault: self.f.vault(),
            series: keys.series,
            escrow: keys.escrow,
            holder: keys.holder,
            reserve: self.f.reserve(),
            rent_receiver: self.f.protocol.pubkey(),
            quote_mint: self.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: event_authority(),
            program: backstop::ID,
            collateral: None,
        }
    }

    pub fn close_with(&mut self, accounts: backstop::accounts::CloseSeries) -> TxResult {
        let ix = Instruction {
            program_id: backstop::ID,
            accounts: accounts.to_account_metas(None),
            data: backstop::instruction::CloseSeries {}.data(),
        };
        let payer = self.f.payer.insecure_clone();
        send(&mut self.f.env.svm, &[ix], &payer, &[])
    }
}
