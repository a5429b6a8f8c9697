//! The world of the substitution matrix (`tests/substitution_matrix.rs`): one valid call of
//! every instruction, each in the state where it succeeds, plus the other accounts an attacker
//! could pass instead (another vault's, another mint's, another series', a stranger's).
use std::collections::BTreeMap;

use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, InstructionData, ToAccountMetas,
};
use backstop::{
    constants::*,
    instructions::{OpenSeriesArgs, ReportSolvencyArgs, UpdateVaultSettingsArgs, WritePutArgs},
    state::{LadderTemplate, SeriesStyle},
};
use backstop_harness::*;

use crate::{
    breach::Keeper, config_pda, delivery::collateral_pda, event_authority, initialize_config_ix,
    ladder::daily_template, series::*, vault::*, Env,
};

const SOL: u64 = 1_000_000_000;
const OTHER_FEED: [u8; 32] = [0x11; 32];
const NEW_FEED: [u8; 32] = [0x22; 32];
const FOREIGN_FEED: [u8; 32] = [0x33; 32];

/// One instruction ready to succeed: the state it succeeds in and its signers (the fee payer
/// is never one of its accounts, so dropping a signature is always possible).
pub struct Ready {
    pub svm: LiteSVM,
    pub ix: Instruction,
    pub signers: Vec<Keypair>,
    pub fee_payer: Keypair,
}

impl Ready {
    pub fn clone_state(&self) -> Self {
        Self {
            svm: self.svm.clone(),
            ix: self.ix.clone(),
            signers: self.signers.iter().map(|k| k.insecure_clone()).collect(),
            fee_payer: self.fee_payer.insecure_clone(),
        }
    }

    pub fn send(&mut self) -> TxResult {
        let signers: Vec<&Keypair> = self.signers.iter().collect();
        send(
            &mut self.svm,
            std::slice::from_ref(&self.ix),
            &self.fee_payer,
            &signers,
        )
    }
}

/// Every instruction's valid call and the named alternative accounts.
pub struct World {
    pub ready: BTreeMap<&'static str, Ready>,
    /// Alternatives by name, e.g. `vault2.reserve`, `mint2.token`, `stranger`.
    pub alts: BTreeMap<&'static str, Pubkey>,
    pub stranger: Keypair,
}

fn ready(m: &Market, fee_payer: &Keypair, ix: Instruction, signers: &[&Keypair]) -> Ready {
    Ready {
        svm: m.f.env.svm.clone(),
        ix,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
        fee_payer: fee_payer.insecure_clone(),
    }
}

impl World {
    pub fn build() -> Self {
        deterministic_keys(0x5ab5_7175);
        let mut ready_map = BTreeMap::new();
        let mut alts = BTreeMap::new();

        // A program with no config yet: initialize_config.
        let env = Env::new();
        let mut fresh = env.svm;
        let payer = funded_keypair(&mut fresh);
        let auth = env.upgrade_authority;
        let ix = initialize_config_ix(
            &payer.pubkey(),
            &auth.pubkey(),
            backstop::instructions::InitializeConfigArgs {
                admin: auth.pubkey(),
                pause_flags: 0,
                pyth_receiver: PYTH_RECEIVER_ID,
                pyth_push_oracle: PYTH_PUSH_ORACLE_ID,
            },
        );
        let fee_payer = funded_keypair(&mut fresh);
        ready_map.insert(
            "initialize_config",
            Ready {
                svm: fresh,
                ix,
                signers: vec![payer.insecure_clone(), auth.insecure_clone()],
                fee_payer,
            },
        );

        // An open market: vault 1 (offering physical delivery) funded, series 1 (30 days) and
        // 2 (2 days) written; physical series 4 (30 days) and 5 (2 days) written.
        let mut f = VaultFixture::new();
        let collateral_mint = f.offer_delivery();
        let mut m = Market::from_fixture(f, 500_000 * USDC, 150);
        let fee_payer = m.f.env.funded();
        let stranger = m.f.env.funded();
        let s1 = m.open_series(100, 30);
        let s2 = m.open_series(100, 2);
        let w1 = m.writer(100_000);
        m.write(&w1, s1, 10 * SOL, 0).expect("write s1");
        let w2 = m.writer(100_000);
        m.write(&w2, s2, 10 * SOL, 0).expect("write s2");
        let physical = |m: &mut Market, strike_usd: u64, days: i64| {
            let (strike, expiry) = (strike_usd * USDC, m.now() + days * 86_400);
            let accounts = m.open_accounts(strike, expiry);
            let ix = accounts.ix(OpenSeriesArgs {
                style: SeriesStyle::PhysicalDelivery,
                ..Market::series_args(strike, expiry)
            });
            send_ok(&mut m.f.env.svm, &[ix], &m.f.payer, &[&m.f.risk]);
            accounts.keys
        };
        let s4 = physical(&mut m, 105, 30);
        let s5 = physical(&mut m, 95, 2);
        m.write(&w1, s4, 10 * SOL, 0).expect("write s4");
        m.write(&w2, s5, 10 * SOL, 0).expect("write s5");
        let collateral_of = |m: &mut Market, owner: &Pubkey, amount: u64| {
            set_token_account(&mut m.f.env.svm, &collateral_mint, owner, amount)
        };
        let protocol_key = m.f.protocol.pubkey();
        let protocol_collateral = collateral_of(&mut m, &protocol_key, 100 * SOL);
        let w2_collateral = collateral_of(&mut m, &w2.key.pubkey(), 0);
        alts.insert("collateral_mint", collateral_mint);
        alts.insert(
            "stranger.collateral",
            collateral_of(&mut m, &Pubkey::new_unique(), 0),
        );
        let keeper: Keeper = m.keeper();
        let (payer, protocol, risk, reporter) = (
            m.f.payer.insecure_clone(),
            m.f.protocol.insecure_clone(),
            m.f.risk.insecure_clone(),
            m.f.reporter.insecure_clone(),
        );
        let admin = m.f.env.upgrade_authority.insecure_clone();

        // Vault 2: same protocol and mint, another feed, with its own series 3.
        let v2 = m.f.create_vault_on_feed(&OTHER_FEED);
        let v2_reserve = ReserveAccounts {
            vault: v2.vault,
            reserve: v2.reserve,
            ..m.f.reserve_accounts()
        };
        send_ok(
            &mut m.f.env.svm,
            &[v2_reserve.fund_ix(200_000 * USDC)],
            &payer,
            &[&protocol],
        );
        let expiry3 = m.now() + 30 * 86_400;
        let open3 = OpenSeriesAccounts {
            vault: v2.vault,
            reserve: v2.reserve,
            keys: SeriesKeys::new(&v2.vault, 100 * USDC, expiry3),
            ..m.open_accounts(100 * USDC, expiry3)
        };
        send_ok(
            &mut m.f.env.svm,
            &[open3.ix(Market::series_args(100 * USDC, expiry3))],
            &payer,
            &[&risk],
        );

        // Another mint, and token accounts of it and of strangers.
        let mint2 = create_mint(&mut m.f.env.svm, &payer, &payer.pubkey(), 6);
        let token_of = |m: &mut Market, mint: &Pubkey, owner: &Pubkey| {
            create_token_account(&mut m.f.env.svm, &payer, mint, owner)
        };
        let quote = m.f.quote_mint;
        alts.insert("mint2", mint2);
        alts.insert(
            "mint2.protocol",
            token_of(&mut m, &mint2, &protocol.pubkey()),
        );
        alts.insert("mint2.w1", token_of(&mut m, &mint2, &w1.key.pubkey()));
        alts.insert("mint2.w2", token_of(&mut m, &mint2, &w2.key.pubkey()));
        alts.insert(
            "mint2.keeper",
            token_of(&mut m, &mint2, &keeper.key.pubkey()),
        );
        alts.insert("stranger", stranger.pubkey());
        alts.insert(
            "stranger.token",
            token_of(&mut m, &quote, &stranger.pubkey()),
        );
        alts.insert("vault2", v2.vault);
        alts.insert("vault2.reserve", v2.reserve);
        alts.insert("vault2.recovery", v2.recovery);
        alts.insert("series3", open3.keys.series);
        for (name, k) in [("s1", s1), ("s2", s2)] {
            let n = |f: &str| -> &'static str { Box::leak(format!("{name}.{f}").into_boxed_str()) };
            alts.insert(n("series"), k.series);
            alts.insert(n("escrow"), k.escrow);
            alts.insert(n("put_mint"), k.put_mint);
            alts.insert(n("holder"), k.holder);
        }
        alts.insert("s1.position", position_pda(&s1.series, &w1.key.pubkey()));
        alts.insert("s2.position", position_pda(&s2.series, &w2.key.pubkey()));
        let foreign_price = Pubkey::new_unique();
        let update = PriceUpdate::new(FOREIGN_FEED, 150_0000_0000, 5_000_000, -8, m.now());
        write_price_update(&mut m.f.env.svm, foreign_price, &update);
        alts.insert("price.other_feed", foreign_price);
        alts.insert("price.collateral", m.price_account);
        alts.insert("token2022", TOKEN_2022_PROGRAM_ID);

        // Vault 1's ladder: one rung at 90 % of spot.
        let template = LadderTemplate {
            strikes_bps: [9_000, 0, 0, 0],
            ..daily_template()
        };
        m.set_ladder(template).expect("set ladder");
        alts.insert("ladder", m.ladder());
        // Vault 2's own ladder.
        let v2_ladder = crate::ladder::SetLadderAccounts {
            vault: v2.vault,
            ladder: crate::ladder::ladder_pda(&v2.vault),
            ..m.set_ladder_accounts()
        };
        send_ok(
            &mut m.f.env.svm,
            &[v2_ladder.ix(template)],
            &payer,
            &[&risk],
        );
        alts.insert("vault2.ladder", v2_ladder.ladder);
        alts.insert(
            "noncanon.ladder",
            non_canonical_pda(&[LADDER_SEED, m.f.vault().as_ref()]),
        );
        let (roll_strike, roll_expiry) = m.rung_terms(0, 15_000);
        alts.insert(
            "noncanon.rolled_series",
            non_canonical_pda(&[
                SERIES_SEED,
                m.f.vault().as_ref(),
                &roll_strike.to_le_bytes(),
                &roll_expiry.to_le_bytes(),
            ]),
        );

        // Views and everything that succeeds in the open market.
        let vault = m.f.vault();
        let reserve_acc = m.f.reserve_accounts();
        let mut put = |name, ix, signers: &[&Keypair]| {
            ready_map.insert(name, ready(&m, &fee_payer, ix, signers));
        };
        put("fund_reserve", reserve_acc.fund_ix(USDC), &[&protocol]);
        put(
            "withdraw_reserve",
            reserve_acc.withdraw_ix(USDC),
            &[&protocol],
        );
        let expiry_new = m.now() + 10 * 86_400;
        let open = m.open_accounts(95 * USDC, expiry_new);
        put(
            "open_series",
            open.ix(Market::series_args(95 * USDC, expiry_new)),
            &[&payer, &risk],
        );
        put(
            "set_ladder",
            m.set_ladder_accounts().ix(LadderTemplate {
                size_cap: 50 * SOL,
                ..template
            }),
            &[&payer, &risk],
        );
        let roll = m.roll_accounts(&payer.pubkey(), roll_strike, roll_expiry);
        put("roll_series", roll.ix(0), &[&payer]);
        let write = m.write_accounts(&w1, s1).ix(WritePutArgs {
            size: SOL,
            min_premium: 0,
        });
        put("write_put", write, &[&w1.key]);
        put("observe_breach", m.observe_ix(), &[]);
        let report = m.report_ix(
            &reporter.pubkey(),
            ReportSolvencyArgs {
                collateral_amount: 1_000 * SOL,
                liabilities: 100_000 * USDC,
            },
        );
        put("report_solvency", report, &[&reporter]);
        let current = m.f.args();
        put(
            "update_vault_settings",
            program_ix(
                backstop::accounts::UpdateVaultSettings {
                    authority: protocol.pubkey(),
                    vault,
                    event_authority: event_authority(),
                    program: backstop::ID,
                },
                backstop::instruction::UpdateVaultSettings {
                    args: UpdateVaultSettingsArgs {
                        trigger: current.trigger,
                        pricing: current.pricing,
                        release: current.release,
                        settings_timelock_secs: current.settings_timelock_secs,
                    },
                },
            ),
            &[&protocol],
        );
        put(
            "set_pause_flags",
            program_ix(
                backstop::accounts::SetPauseFlags {
                    admin: admin.pubkey(),
                    config: config_pda(),
                    event_authority: event_authority(),
                    program: backstop::ID,
                },
                backstop::instruction::SetPauseFlags { pause_flags: 0 },
            ),
            &[&admin],
        );
        put(
            "get_vault_strength",
            program_ix(
                backstop::accounts::GetVaultStrength { vault },
                backstop::instruction::GetVaultStrength {},
            ),
            &[],
        );
        put(
            "check_price",
            program_ix(
                backstop::accounts::CheckPrice {
                    vault,
                    price_update: m.price_account,
                },
                backstop::instruction::CheckPrice {},
            ),
            &[],
        );
        let (create, create_ix) = m.f.vault_on_feed(&NEW_FEED);
        let new_vault = create.vault;
        put("create_vault", create_ix, &[&payer, &protocol]);
        drop(put);

        // The same PDAs at a non-canonical bump.
        let new_series = open.keys.series;
        let mint = m.f.quote_mint;
        let nc = [
            ("noncanon.config", non_canonical_pda(&[CONFIG_SEED])),
            (
                "noncanon.vault",
                non_canonical_pda(&[
                    VAULT_SEED,
                    protocol.pubkey().as_ref(),
                    mint.as_ref(),
                    &NEW_FEED,
                ]),
            ),
            (
                "noncanon.reserve",
                non_canonical_pda(&[RESERVE_SEED, new_vault.as_ref()]),
            ),
            (
                "noncanon.recovery",
                non_canonical_pda(&[RECOVERY_SEED, new_vault.as_ref()]),
            ),
            (
                "noncanon.series",
                non_canonical_pda(&[
                    SERIES_SEED,
                    vault.as_ref(),
                    &(95 * USDC).to_le_bytes(),
                    &expiry_new.to_le_bytes(),
                ]),
            ),
            (
                "noncanon.escrow",
                non_canonical_pda(&[ESCROW_SEED, new_series.as_ref()]),
            ),
            (
                "noncanon.put_mint",
                non_canonical_pda(&[PUT_MINT_SEED, new_series.as_ref()]),
            ),
            (
                "noncanon.holder",
                non_canonical_pda(&[HOLDER_SEED, new_series.as_ref()]),
            ),
            (
                "noncanon.position",
                non_canonical_pda(&[POSITION_SEED, s1.series.as_ref(), w1.key.pubkey().as_ref()]),
            ),
        ];
        alts.extend(nc);

        // A confirmed breach: trigger on series 1.
        m.tick(10, 8_000);
        m.observe().expect("observe");
        m.tick(61, 8_000);
        let trigger = Market::trigger_ix(m.trigger_accounts(&keeper, s1));
        ready_map.insert("trigger", ready(&m, &fee_payer, trigger, &[&keeper.key]));
        // The same step through the non-reverting entry, and the read-only view of it.
        let try_release = program_ix(
            m.trigger_accounts(&keeper, s1),
            backstop::instruction::TryRelease {},
        );
        ready_map.insert(
            "try_release",
            ready(&m, &fee_payer, try_release, &[&keeper.key]),
        );
        let release_status = program_ix(
            backstop::accounts::ReleaseStatusView {
                vault,
                series: s1.series,
                reserve: m.f.reserve(),
                price_update: m.price_account,
                depeg_price_update: Some(m.depeg_account),
            },
            backstop::instruction::ReleaseStatus {
                caller: keeper.key.pubkey(),
            },
        );
        ready_map.insert("release_status", ready(&m, &fee_payer, release_status, &[]));

        // Released capital: withdraw_recovery.
        m.trigger(&keeper, s1).expect("trigger");
        // The trigger confirmed the breach: the protocol sells collateral to the physical
        // series 4; series 5 takes a delivery too.
        let deliver = |m: &Market, keys: SeriesKeys, size: u64| {
            program_ix(
                deliver_accounts(m, collateral_mint, keys, protocol_collateral),
                backstop::instruction::DeliverCollateral { size },
            )
        };
        ready_map.insert(
            "deliver_collateral",
            ready(&m, &fee_payer, deliver(&m, s4, SOL), &[&payer, &protocol]),
        );
        let deliver_s5 = deliver(&m, s5, 3 * SOL);
        send_ok(
            &mut m.f.env.svm,
            &[deliver_s5],
            &fee_payer,
            &[&payer, &protocol],
        );
        let withdraw_recovery = program_ix(
            backstop::accounts::WithdrawRecovery {
                authority: protocol.pubkey(),
                vault,
                recovery: m.f.recovery,
                destination: m.f.protocol_token,
                quote_mint: m.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::WithdrawRecovery { amount: USDC },
        );
        ready_map.insert(
            "withdraw_recovery",
            ready(&m, &fee_payer, withdraw_recovery, &[&protocol]),
        );

        // Series 2 expired: settle, then reclaim, then close.
        warp_to_timestamp(&mut m.f.env.svm, s2.expiry + 5);
        let upd = Pubkey::new_unique();
        m.set_price_at(upd, 9_000, s2.expiry + 1, s2.expiry - 1);
        alts.insert("price.settlement", upd);
        let settle = m.settle_accounts(s2, upd);
        let settle_ix = program_ix(settle, backstop::instruction::SettleSeries {});
        ready_map.insert("settle_series", ready(&m, &fee_payer, settle_ix, &[]));
        m.settle(s2, upd).expect("settle");
        m.reclaim(s2, &w2).expect("reclaim");
        // Physical series 5 after its delivery window: settle, then reclaim with collateral,
        // then close with its collateral account.
        warp_to_timestamp(&mut m.f.env.svm, s5.expiry + 3_601);
        m.settle(s5, upd).expect("settle s5");
        let reclaim_accounts = backstop::accounts::Reclaim {
            collateral: Some(collateral_pda(&s5.series)),
            writer_collateral: Some(w2_collateral),
            collateral_mint: Some(collateral_mint),
            ..m.reclaim_accounts(s5, &w2)
        };
        let reclaim = program_ix(reclaim_accounts, backstop::instruction::Reclaim {});
        ready_map.insert("reclaim", ready(&m, &fee_payer, reclaim, &[]));
        m.reclaim_with(reclaim_accounts).expect("reclaim s5");
        let close_accounts = backstop::accounts::CloseSeries {
            collateral: Some(collateral_pda(&s5.series)),
            ..m.close_accounts(s5)
        };
        let close = program_ix(close_accounts, backstop::instruction::CloseSeries {});
        ready_map.insert("close_series", ready(&m, &fee_payer, close, &[]));

        Self {
            ready: ready_map,
            alts,
            stranger,
        }
    }

    pub fn alt(&self, name: &str) -> Pubkey {
        *self
            .alts
            .get(name)
            .unwrap_or_else(|| panic!("no alternative account named {name}"))
    }
}

fn deliver_accounts(
    m: &Market,
    collateral_mint: Pubkey,
    keys: SeriesKeys,
    deliverer_collateral: Pubkey,
) -> backstop::accounts::DeliverCollateral {
    backstop::accounts::DeliverCollateral {
        payer: m.f.payer.pubkey(),
        deliverer: m.f.protocol.pubkey(),
        vault: m.f.vault(),
        series: keys.series,
        collateral: collateral_pda(&keys.series),
        deliverer_collateral,
        escrow: keys.escrow,
        put_mint: keys.put_mint,
        holder: keys.holder,
        recovery: m.f.recovery,
        collateral_mint,
        quote_mint: m.f.quote_mint,
        token_program: TOKEN_PROGRAM_ID,
        system_program: anchor_lang::system_program::ID,
        event_authority: event_authority(),
        program: backstop::ID,
    }
}

/// A backstop instruction from its accounts struct and data.
pub fn program_ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: backstop::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// The address `seeds` derive with the largest bump below the canonical one that is still off
/// the curve: a valid PDA the program must refuse.
pub fn non_canonical_pda(seeds: &[&[u8]]) -> Pubkey {
    let (_, canonical) = Pubkey::find_program_address(seeds, &backstop::ID);
    (0..canonical)
        .rev()
        .find_map(|bump| {
            let mut with_bump: Vec<&[u8]> = seeds.to_vec();
            let b = [bump];
            with_bump.push(&b);
            Pubkey::create_program_address(&with_bump, &backstop::ID).ok()
        })
        .expect("a second bump")
}
