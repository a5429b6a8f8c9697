//! A vault fixture: config, quote mint, recovery account and a vault with sane settings, plus
//! instruction builders for the vault instructions.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{
    constants::*,
    instructions::{CreateVaultArgs, InitializeConfigArgs},
    state::{OracleSettings, PricingSettings, ReleaseSettings, TriggerSettings},
};
use backstop_harness::*;

use crate::{event_authority, initialize_config_ix, Env};

/// USDC-like quote (6 decimals), SOL-like collateral (9 decimals).
pub const QUOTE_DECIMALS: u8 = 6;
pub const COLLATERAL_DECIMALS: u8 = 9;
/// One whole quote token in base units.
pub const USDC: u64 = 1_000_000;
/// `math::PRICE_SCALE`: 1.0 quote per collateral unit (1e-12).
pub const PRICE_ONE: u64 = 1_000_000_000_000;
pub const SOL_FEED: [u8; 32] = [0xef; 32];
pub const USDC_FEED: [u8; 32] = [0xea; 32];

pub fn vault_pda(authority: &Pubkey, quote_mint: &Pubkey, feed: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[VAULT_SEED, authority.as_ref(), quote_mint.as_ref(), feed],
        &backstop::ID,
    )
    .0
}

pub fn recovery_pda(vault: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[RECOVERY_SEED, vault.as_ref()], &backstop::ID).0
}

pub fn reserve_pda(vault: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[RESERVE_SEED, vault.as_ref()], &backstop::ID).0
}

/// Barrier at $90, ratio trigger at 110 %, joint trigger at $120 and a $0.97 depeg, 60 s
/// persistence, 60 s max price age, 2 % confidence cap (1 % for writes), 1.5x tail loading;
/// one release step per minute per series, a tip for steps of 100 USDC or more, writes close
/// 5 minutes before expiry.
pub fn default_vault_args(reporter: Pubkey, risk_authority: Pubkey) -> CreateVaultArgs {
    CreateVaultArgs {
        reporter,
        risk_authority,
        collateral_decimals: COLLATERAL_DECIMALS,
        oracle: OracleSettings {
            receiver: PYTH_RECEIVER_ID,
            collateral_feed: SOL_FEED,
            depeg_feed: USDC_FEED,
            max_age_secs: 60,
            max_conf_bps: 200,
            ..Default::default()
        },
        trigger: TriggerSettings {
            barrier_price: 90 * PRICE_ONE,
            ratio_threshold_bps: 11_000,
            max_report_age_secs: 300,
            joint_collateral_price: 120 * PRICE_ONE,
            depeg_price: PRICE_ONE / 100 * 97,
            persistence_secs: 60,
        },
        pricing: PricingSettings {
            conf_multiplier_bps: 20_000,
            tail_loading_bps: 15_000,
            min_premium: PRICE_ONE / 100,
            rate: 0,
            write_conf_bps: 100,
        },
        release: ReleaseSettings {
            cap_per_epoch: 1_000_000 * USDC,
            epoch_secs: 3_600,
            keeper_tip: 5 * USDC,
            min_tip_release: 100 * USDC,
            release_interval_secs: 60,
            write_cutoff_secs: 300,
        },
        settings_timelock_secs: 3_600,
        collateral_price_shard: 0,
        depeg_price_shard: 0,
    }
}

/// Accounts of `create_vault`, editable before building the instruction.
#[derive(Clone)]
pub struct CreateVaultAccounts {
    pub payer: Pubkey,
    pub authority: Pubkey,
    pub config: Pubkey,
    pub vault: Pubkey,
    pub quote_mint: Pubkey,
    pub reserve: Pubkey,
    pub recovery: Pubkey,
    /// Given: the vault offers physical delivery series in this mint.
    pub collateral_mint: Option<Pubkey>,
}

impl CreateVaultAccounts {
    pub fn ix(&self, args: CreateVaultArgs) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::CreateVault {
                payer: self.payer,
                authority: self.authority,
                config: self.config,
                vault: self.vault,
                quote_mint: self.quote_mint,
                reserve: self.reserve,
                recovery: self.recovery,
                token_program: TOKEN_PROGRAM_ID,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: backstop::ID,
                collateral_mint: self.collateral_mint,
            }
            .to_account_metas(None),
            data: backstop::instruction::CreateVault { args }.data(),
        }
    }
}

/// Accounts of `fund_reserve` / `withdraw_reserve`.
#[derive(Clone)]
pub struct ReserveAccounts {
    pub signer: Pubkey,
    pub vault: Pubkey,
    pub reserve: Pubkey,
    pub token: Pubkey,
    pub quote_mint: Pubkey,
}

impl ReserveAccounts {
    pub fn fund_ix(&self, amount: u64) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::FundReserve {
                funder: self.signer,
                config: crate::config_pda(),
                vault: self.vault,
                reserve: self.reserve,
                funder_token: self.token,
                quote_mint: self.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::FundReserve { amount }.data(),
        }
    }

    pub fn withdraw_ix(&self, amount: u64) -> Instruction {
        Instruction {
            program_id: backstop::ID,
            accounts: backstop::accounts::WithdrawReserve {
                authority: self.signer,
                vault: self.vault,
                reserve: self.reserve,
                destination: self.token,
                quote_mint: self.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
            }
            .to_account_metas(None),
            data: backstop::instruction::WithdrawReserve { amount }.data(),
        }
    }
}

/// A deployed program with a config, a quote mint, a protocol (vault authority) holding
/// 1,000,000 quote tokens, and the accounts to create its vault.
pub struct VaultFixture {
    pub env: Env,
    pub payer: Keypair,
    pub protocol: Keypair,
    pub mint_authority: Keypair,
    pub reporter: Keypair,
    pub risk: Keypair,
    pub quote_mint: Pubkey,
    pub protocol_token: Pubkey,
    pub recovery: Pubkey,
    pub create: CreateVaultAccounts,
}

impl VaultFixture {
    /// Everything up to (not including) `create_vault`; `pause_flags` go into the config.
    pub fn new_with_pause(pause_flags: u32) -> Self {
        let mut env = Env::new();
        let payer = env.funded();
        let protocol = env.funded();
        let mint_authority = env.funded();
        let reporter = new_keypair();
        let risk = env.funded();
        let auth = env.upgrade_authority.insecure_clone();
        let ix = initialize_config_ix(
            &payer.pubkey(),
            &auth.pubkey(),
            InitializeConfigArgs {
                admin: auth.pubkey(),
                pause_flags,
                pyth_receiver: PYTH_RECEIVER_ID,
                pyth_push_oracle: PYTH_PUSH_ORACLE_ID,
            },
        );
        send_ok(&mut env.svm, &[ix], &payer, &[&auth]);
        let quote_mint = create_mint(
            &mut env.svm,
            &payer,
            &mint_authority.pubkey(),
            QUOTE_DECIMALS,
        );
        let protocol_token =
            create_token_account(&mut env.svm, &payer, &quote_mint, &protocol.pubkey());
        mint_to(
            &mut env.svm,
            &payer,
            &quote_mint,
            &mint_authority,
            &protocol_token,
            1_000_000 * USDC,
        );
        let vault = vault_pda(&protocol.pubkey(), &quote_mint, &SOL_FEED);
        let recovery = recovery_pda(&vault);
        let create = CreateVaultAccounts {
            payer: payer.pubkey(),
            authority: protocol.pubkey(),
            config: crate::config_pda(),
            vault,
            quote_mint,
            reserve: reserve_pda(&vault),
            recovery,
            collateral_mint: None,
        };
        Self {
            env,
            payer,
            protocol,
            mint_authority,
            reporter,
            risk,
            quote_mint,
            protocol_token,
            recovery,
            create,
        }
    }

    pub fn new() -> Self {
        Self::new_with_pause(0)
    }

    /// Makes the vault `create_vault` will create offer physical delivery: a new collateral mint
    /// (the vault's collateral decimals, minted by the fixture's mint authority), returned.
    pub fn offer_delivery(&mut self) -> Pubkey {
        let mint = create_mint(
            &mut self.env.svm,
            &self.payer,
            &self.mint_authority.pubkey(),
            COLLATERAL_DECIMALS,
        );
        self.create.collateral_mint = Some(mint);
        mint
    }

    pub fn args(&self) -> CreateVaultArgs {
        default_vault_args(self.reporter.pubkey(), self.risk.pubkey())
    }

    /// Sends `create_vault` with the default settings.
    pub fn create_vault(&mut self) -> TransactionMetadata {
        let ix = self.create.ix(self.args());
        send_ok(&mut self.env.svm, &[ix], &self.payer, &[&self.protocol])
    }

    /// Another vault of the same protocol and mint on `feed`, with its own reserve and recovery:
    /// its accounts, and the `create_vault` call with the default settings on that feed.
    pub fn vault_on_feed(&self, feed: &[u8; 32]) -> (CreateVaultAccounts, Instruction) {
        let vault = vault_pda(&self.protocol.pubkey(), &self.quote_mint, feed);
        let accounts = CreateVaultAccounts {
            vault,
            reserve: reserve_pda(&vault),
            recovery: recovery_pda(&vault),
            ..self.create.clone()
        };
        let mut args = self.args();
        args.oracle.collateral_feed = *feed;
        let ix = accounts.ix(args);
        (accounts, ix)
    }

    /// Creates [`Self::vault_on_feed`] and returns its accounts.
    pub fn create_vault_on_feed(&mut self, feed: &[u8; 32]) -> CreateVaultAccounts {
        let (accounts, ix) = self.vault_on_feed(feed);
        send_ok(&mut self.env.svm, &[ix], &self.payer, &[&self.protocol]);
        accounts
    }

    pub fn vault(&self) -> Pubkey {
        self.create.vault
    }

    pub fn reserve(&self) -> Pubkey {
        self.create.reserve
    }

    /// Reserve accounts signed by the protocol with its own token account.
    pub fn reserve_accounts(&self) -> ReserveAccounts {
        ReserveAccounts {
            signer: self.protocol.pubkey(),
            vault: self.vault(),
            reserve: self.reserve(),
            token: self.protocol_token,
            quote_mint: self.quote_mint,
        }
    }
}

impl Default for VaultFixture {
    fn default() -> Self {
        Self::new()
    }
}
