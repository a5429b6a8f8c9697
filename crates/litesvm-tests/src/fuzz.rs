//! Seeded random sequences on the built program (`tests/random_sequences.rs`): every user,
//! keeper, authority and price action, valid or not, across two vaults, their series and four
//! writers, with clock warps, cash and physical delivery series; the money invariants (both
//! mints) are checked after every step.
use anchor_lang::{
    prelude::Pubkey, solana_program::instruction::Instruction, AccountDeserialize,
    AnchorDeserialize,
};
use backstop::{
    instructions::{
        OpenSeriesArgs, ReleaseOutcome, ReleaseStatus, ReportSolvencyArgs, UpdateVaultSettingsArgs,
        WritePutArgs,
    },
    state::{Ladder, LadderTemplate, Series, SeriesStatus, SeriesStyle, Vault},
};
use backstop_harness::*;

use crate::{
    delivery::collateral_pda, event_authority, ladder::*, matrix::program_ix, series::*, vault::*,
};

const SOL: u64 = 1_000_000_000;
const FEEDS: [[u8; 32]; 2] = [SOL_FEED, [0x44; 32]];
const MAX_SERIES_PER_VAULT: usize = 3;

/// splitmix64: small, fast, and the same sequence on every machine for a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

struct VaultKeys {
    vault: Pubkey,
    reserve: Pubkey,
    recovery: Pubkey,
    feed: [u8; 32],
    price_account: Pubkey,
    depeg_account: Pubkey,
    /// Collateral price in cents the oracle publishes.
    cents: i64,
}

#[derive(Clone, Copy)]
struct SeriesSlot {
    vault: usize,
    keys: SeriesKeys,
    /// Each writer's position PDA (derived once: host PDA derivation is slow in debug builds).
    positions: [Pubkey; 4],
    /// `(advanced, payout_total)` frozen at settlement.
    settled: Option<(u64, u64)>,
    closed: bool,
    /// Settles by physical delivery (the vault's collateral mint).
    physical: bool,
    /// Its collateral account (`["collateral", series]`; derived once, like the positions).
    collateral: Pubkey,
}

/// What a step did, for the failure report.
#[derive(Debug)]
pub struct StepLog {
    pub step: u64,
    pub action: String,
    pub ok: bool,
}

pub struct Fuzz {
    f: VaultFixture,
    rng: Rng,
    fee_payer: Keypair,
    stranger: Keypair,
    stranger_token: Pubkey,
    vaults: Vec<VaultKeys>,
    series: Vec<SeriesSlot>,
    writers: Vec<Writer>,
    keeper: Writer,
    /// Every quote token account, for conservation.
    quote_accounts: Vec<Pubkey>,
    quote_total: u128,
    /// The collateral mint physical series deliver, the protocol's and each writer's account
    /// of it, and the total of that mint, for conservation.
    collateral_mint: Pubkey,
    protocol_collateral: Pubkey,
    writer_collateral: Vec<Pubkey>,
    collateral_total: u128,
    pub seed: u64,
    pub step: u64,
    pub history: Vec<StepLog>,
    /// How many steps succeeded, by action name.
    pub successes: std::collections::BTreeMap<&'static str, u64>,
    /// How many transactions were refused, by error code.
    pub refusals: std::collections::BTreeMap<String, u64>,
    /// Successful release steps (triggers), in every action.
    pub release_steps: u64,
    /// Release steps taken while a feed was stale, wide or missing.
    pub stressed_steps: u64,
    /// `try_release` outcomes by status (reverts not counted).
    pub release_statuses: std::collections::BTreeMap<String, u64>,
    /// The custom error code of the last refused transaction.
    last_error: Option<u32>,
}

/// How a crash campaign's feeds behave at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FeedMode {
    Normal,
    StaleCollateral,
    WideCollateral,
    StaleDepeg,
    WideDepeg,
    NoDepeg,
}

/// Error codes that would mean an observation or a release failed closed on a stressed feed:
/// stale, non-positive, too wide, or a missing stablecoin account.
const FAIL_CLOSED: [u32; 4] = [6035, 6034, 6036, 6072];

impl Fuzz {
    pub fn new(seed: u64) -> Self {
        deterministic_keys(seed);
        let mut f = VaultFixture::new();
        // Signatures are not what this test is about (the matrix covers signers), and checking
        // them would dominate the run.
        f.env.svm = std::mem::take(&mut f.env.svm).with_sigverify(false);
        // Every vault offers physical delivery in one collateral mint.
        let collateral_mint = f.offer_delivery();
        f.create_vault();
        let fee_payer = f.env.funded();
        f.env
            .svm
            .airdrop(&fee_payer.pubkey(), 10_000 * SOL)
            .expect("fee payer");
        let stranger = f.env.funded();
        let mut vaults = vec![];
        for (i, feed) in FEEDS.iter().enumerate() {
            // The fixture's own vault is on the first feed; the others are created here.
            let accounts = if i == 0 {
                f.create.clone()
            } else {
                f.create_vault_on_feed(feed)
            };
            vaults.push(VaultKeys {
                vault: accounts.vault,
                reserve: accounts.reserve,
                recovery: accounts.recovery,
                feed: *feed,
                price_account: Pubkey::new_unique(),
                depeg_account: Pubkey::new_unique(),
                cents: 15_000,
            });
        }
        let mut quote_accounts = vec![f.protocol_token];
        let mut new_holder = |f: &mut VaultFixture, owner: &Pubkey, usdc: u64| {
            let token = create_token_account(&mut f.env.svm, &f.payer, &f.quote_mint, owner);
            if usdc > 0 {
                mint_to(
                    &mut f.env.svm,
                    &f.payer,
                    &f.quote_mint,
                    &f.mint_authority,
                    &token,
                    usdc * USDC,
                );
            }
            quote_accounts.push(token);
            token
        };
        let writers: Vec<Writer> = (0..4)
            .map(|_| {
                let key = f.env.funded();
                let token = new_holder(&mut f, &key.pubkey(), 5_000_000);
                Writer { key, token }
            })
            .collect();
        let keeper_key = f.env.funded();
        let keeper = Writer {
            token: new_holder(&mut f, &keeper_key.pubkey(), 0),
            key: keeper_key,
        };
        let stranger_token = new_holder(&mut f, &stranger.pubkey(), 1_000);
        mint_to(
            &mut f.env.svm,
            &f.payer,
            &f.quote_mint,
            &f.mint_authority,
            &f.protocol_token,
            100_000_000 * USDC,
        );
        for v in &vaults {
            quote_accounts.push(v.reserve);
            quote_accounts.push(v.recovery);
        }
        let protocol_collateral = set_token_account(
            &mut f.env.svm,
            &collateral_mint,
            &f.protocol.pubkey(),
            1_000_000 * SOL,
        );
        let writer_collateral = writers
            .iter()
            .map(|w| set_token_account(&mut f.env.svm, &collateral_mint, &w.key.pubkey(), 0))
            .collect();
        let mut fuzz = Self {
            f,
            rng: Rng::new(seed),
            fee_payer,
            stranger,
            stranger_token,
            vaults,
            series: vec![],
            writers,
            keeper,
            quote_accounts,
            quote_total: 0,
            collateral_mint,
            protocol_collateral,
            writer_collateral,
            collateral_total: 0,
            seed,
            step: 0,
            history: vec![],
            successes: Default::default(),
            refusals: Default::default(),
            release_steps: 0,
            stressed_steps: 0,
            release_statuses: Default::default(),
            last_error: None,
        };
        for i in 0..fuzz.vaults.len() {
            fuzz.publish(i, 0);
        }
        // Each vault keeps a ladder (docs/DESIGN.md section 7c): cash rungs on the first, physical
        // on the second; rolls are among the random actions.
        for (i, style) in [SeriesStyle::CashRatchet, SeriesStyle::PhysicalDelivery]
            .into_iter()
            .enumerate()
        {
            let accounts = SetLadderAccounts {
                payer: fuzz.f.payer.pubkey(),
                risk_authority: fuzz.f.risk.pubkey(),
                vault: fuzz.vaults[i].vault,
                ladder: ladder_pda(&fuzz.vaults[i].vault),
            };
            let ix = accounts.ix(LadderTemplate {
                overlap_secs: 6 * 3_600,
                strikes_bps: [8_000, 9_500, 0, 0],
                style,
                ..daily_template()
            });
            let (payer, risk) = (fuzz.f.payer.insecure_clone(), fuzz.f.risk.insecure_clone());
            assert!(fuzz.send(ix, &[&payer, &risk]), "set ladder {i}");
        }
        fuzz.quote_total = fuzz.quote_sum();
        fuzz.collateral_total = fuzz.collateral_sum();
        fuzz
    }

    /// The collateral mint's tokens the run can see: the protocol's, the writers', and every
    /// series' collateral account (created at a first delivery).
    fn collateral_sum(&self) -> u128 {
        let series = self.series.iter().map(|s| s.collateral);
        std::iter::once(self.protocol_collateral)
            .chain(self.writer_collateral.iter().copied())
            .chain(series)
            .map(|k| u128::from(token_balance_or_zero(&self.f.env.svm, &k)))
            .sum()
    }

    fn now(&self) -> i64 {
        clock(&self.f.env.svm).unix_timestamp
    }

    /// Publishes vault `v`'s collateral price `age` seconds old, and a healthy stablecoin.
    fn publish(&mut self, v: usize, age: i64) {
        let now = self.now();
        let vk = &self.vaults[v];
        let price = vk.cents * 1_000_000;
        let conf = if self.rng.chance(3) {
            price as u64 / 20
        } else {
            price as u64 / 1_000
        };
        let update = PriceUpdate::new(vk.feed, price, conf, -8, now - age);
        write_price_update(&mut self.f.env.svm, vk.price_account, &update);
        let depeg = PriceUpdate::new(USDC_FEED, 100_000_000, 10_000, -8, now - age);
        write_price_update(&mut self.f.env.svm, vk.depeg_account, &depeg);
    }

    fn quote_sum(&self) -> u128 {
        let escrows = self
            .series
            .iter()
            .filter(|s| !s.closed)
            .map(|s| s.keys.escrow);
        self.quote_accounts
            .iter()
            .copied()
            .chain(escrows)
            .map(|k| u128::from(token_balance_or_zero(&self.f.env.svm, &k)))
            .sum()
    }

    fn tracked(&self) -> Vec<Pubkey> {
        let mut keys: Vec<Pubkey> = self.quote_accounts.clone();
        for v in &self.vaults {
            keys.push(v.vault);
        }
        for s in &self.series {
            keys.extend([s.keys.series, s.keys.escrow, s.keys.put_mint, s.keys.holder]);
            keys.extend(s.positions);
        }
        keys.push(crate::config_pda());
        keys
    }

    fn send(&mut self, ix: Instruction, signers: &[&Keypair]) -> bool {
        self.send_for_meta(ix, signers).is_some()
    }

    /// [`Self::send`], keeping what the transaction returned.
    fn send_for_meta(
        &mut self,
        ix: Instruction,
        signers: &[&Keypair],
    ) -> Option<TransactionMetadata> {
        let keys = self.tracked();
        let before = account_states(&self.f.env.svm, &keys);
        let fee_payer = self.fee_payer.insecure_clone();
        let result = send(&mut self.f.env.svm, &[ix], &fee_payer, signers);
        self.last_error = result.as_ref().err().and_then(custom_error_code);
        match result {
            Ok(meta) => Some(meta),
            Err(e) => {
                let code =
                    custom_error_code(&e).map_or_else(|| format!("{:?}", e.err), |c| c.to_string());
                *self.refusals.entry(code).or_default() += 1;
                assert!(
                    account_states(&self.f.env.svm, &keys) == before,
                    "a failed transaction changed state"
                );
                None
            }
        }
    }

    /// `ix` simulated in the current slot (nothing is written): its return data, or `None` when
    /// it would fail.
    fn simulate(&self, ix: Instruction, signers: &[&Keypair]) -> Option<Vec<u8>> {
        let mut all: Vec<&Keypair> = vec![&self.fee_payer];
        all.extend(signers.iter().copied());
        let tx = Transaction::new_signed_with_payer(
            &[ix],
            Some(&self.fee_payer.pubkey()),
            &all,
            self.f.env.svm.latest_blockhash(),
        );
        self.f
            .env
            .svm
            .simulate_transaction(tx)
            .ok()
            .map(|sim| sim.meta.return_data.data)
    }

    fn vault_state(&self, v: usize) -> Vault {
        let acc = self
            .f
            .env
            .svm
            .get_account(&self.vaults[v].vault)
            .expect("vault");
        Vault::try_deserialize(&mut acc.data.as_slice()).expect("vault data")
    }

    fn series_state(&self, s: &SeriesSlot) -> Option<Series> {
        let acc = self.f.env.svm.get_account(&s.keys.series)?;
        Series::try_deserialize(&mut acc.data.as_slice()).ok()
    }

    /// One random action; returns its name and whether its transaction succeeded.
    pub fn step(&mut self) -> (&'static str, bool) {
        self.step += 1;
        let v = self.rng.below(self.vaults.len() as u64) as usize;
        // Most actions read a price: keep it fresh, sometimes stale.
        if self.rng.chance(95) {
            self.publish(v, 0);
        } else {
            let age = 61 + self.rng.below(600) as i64;
            self.publish(v, age);
        }
        let roll = self.rng.below(100);
        let (name, ok) = match roll {
            0..=4 => ("price_move", self.price_move(v)),
            5..=6 => ("deliver_collateral", self.deliver()),
            7 => ("breach_campaign", self.breach_campaign(v)),
            8..=10 => ("crash_campaign", self.crash_campaign(v)),
            11..=17 => ("warp", self.warp()),
            18..=21 => ("fund_reserve", self.fund(v)),
            22..=25 => ("withdraw_reserve", self.withdraw(v)),
            26..=29 => ("round_trip", self.round_trip(v)),
            30..=35 => ("open_series", self.open(v)),
            36..=51 => ("write_put", self.write()),
            52..=59 => ("observe_breach", self.observe(v)),
            60..=62 => ("report_solvency", self.report(v)),
            63..=67 => ("trigger", self.trigger()),
            68..=70 => ("try_release", self.try_release()),
            71..=77 => ("settle_series", self.settle()),
            78..=84 => ("reclaim", self.reclaim()),
            85..=88 => ("close_series", self.close()),
            89..=91 => ("withdraw_recovery", self.withdraw_recovery(v)),
            92..=93 => ("update_vault_settings", self.update_settings(v)),
            94 => ("set_pause_flags", self.pause()),
            95..=96 => ("roll_series", self.roll(v)),
            97 => ("set_ladder", self.change_ladder(v)),
            _ => ("stranger", self.stranger_attack(v)),
        };
        if ok {
            *self.successes.entry(name).or_default() += 1;
        }
        self.history.push(StepLog {
            step: self.step,
            action: name.to_string(),
            ok,
        });
        if self.history.len() > 40 {
            self.history.remove(0);
        }
        self.check_invariants();
        (name, ok)
    }

    fn price_move(&mut self, v: usize) -> bool {
        let c = self.vaults[v].cents;
        self.vaults[v].cents = match self.rng.below(10) {
            0 => 5_000 + self.rng.below(4_000) as i64, // crash below the $90 barrier
            1 => 14_000 + self.rng.below(3_000) as i64, // recovery
            _ => (c + self.rng.below(1_001) as i64 - 500).clamp(1_000, 30_000),
        };
        self.publish(v, 0);
        true
    }

    /// A keeper's whole release: the price falls below the barrier, is observed twice one
    /// persistence window apart, and a series of that vault is triggered.
    fn breach_campaign(&mut self, v: usize) -> bool {
        self.vaults[v].cents = 4_000 + self.rng.below(4_900) as i64;
        self.publish(v, 0);
        self.observe(v);
        advance_seconds(&mut self.f.env.svm, 61 + self.rng.below(30) as i64);
        self.publish(v, 0);
        self.observe(v);
        let open: Vec<SeriesSlot> = self
            .series
            .iter()
            .copied()
            .filter(|s| s.vault == v && !s.closed && s.settled.is_none())
            .collect();
        if open.is_empty() {
            return false;
        }
        let s = self.rng.pick(&open);
        self.trigger_series(s)
    }

    /// A crash observed and cranked by keepers over minutes, while the feeds fail: the
    /// collateral's update goes stale or wide, the stablecoin's goes stale, wide or missing.
    /// Every written open series of the vault is cranked at every moment; none of it may fail
    /// closed on a stressed feed.
    fn crash_campaign(&mut self, v: usize) -> bool {
        let targets: Vec<SeriesSlot> = self
            .series
            .iter()
            .copied()
            .filter(|s| s.vault == v && !s.closed && s.settled.is_none())
            .filter(|s| self.series_state(s).is_some_and(|st| st.written_size > 0))
            .collect();
        if targets.is_empty() {
            return false;
        }
        let mut cents = self.vaults[v].cents.min(9_500);
        let mut stepped = false;
        for _ in 0..6 + self.rng.below(15) {
            cents = if self.rng.chance(80) {
                cents * (100 - 1 - self.rng.below(8) as i64) / 100
            } else {
                cents * (100 + 1 + self.rng.below(5) as i64) / 100
            }
            .max(500);
            self.vaults[v].cents = cents;
            advance_seconds(&mut self.f.env.svm, 15 + self.rng.below(50) as i64);
            let mode = match self.rng.below(20) {
                0..=11 => FeedMode::Normal,
                12..=13 => FeedMode::StaleCollateral,
                14..=15 => FeedMode::WideCollateral,
                16 => FeedMode::StaleDepeg,
                17 => FeedMode::WideDepeg,
                _ => FeedMode::NoDepeg,
            };
            let depeg = self.publish_mode(v, mode);
            if self.rng.chance(70) {
                self.observe_with(v, depeg);
            }
            for s in &targets {
                if self.send_trigger(*s, depeg) {
                    stepped = true;
                    self.stressed_steps += u64::from(mode != FeedMode::Normal);
                }
            }
        }
        stepped
    }

    /// Publishes vault `v`'s feeds in `mode`; returns the stablecoin account to pass.
    fn publish_mode(&mut self, v: usize, mode: FeedMode) -> Option<Pubkey> {
        let now = self.now();
        let vk = &self.vaults[v];
        let price = vk.cents * 1_000_000;
        let (age, conf) = match mode {
            FeedMode::StaleCollateral => (61 + self.rng.below(300) as i64, price as u64 / 1_000),
            FeedMode::WideCollateral => (0, price as u64 * (3 + self.rng.below(20)) / 100),
            _ => (0, price as u64 / 1_000),
        };
        let update = PriceUpdate::new(vk.feed, price, conf, -8, now - age);
        write_price_update(&mut self.f.env.svm, vk.price_account, &update);
        let (depeg_age, depeg_conf) = match mode {
            FeedMode::StaleDepeg => (61 + self.rng.below(300) as i64, 10_000),
            FeedMode::WideDepeg => (0, 5_000_000),
            _ => (0, 10_000),
        };
        let depeg = PriceUpdate::new(USDC_FEED, 100_000_000, depeg_conf, -8, now - depeg_age);
        write_price_update(&mut self.f.env.svm, vk.depeg_account, &depeg);
        (mode != FeedMode::NoDepeg).then_some(vk.depeg_account)
    }

    fn warp(&mut self) -> bool {
        let secs = match self.rng.below(10) {
            0 => 3_600 + self.rng.below(6 * 3_600),
            1 => 86_400,
            _ => 1 + self.rng.below(90),
        };
        advance_seconds(&mut self.f.env.svm, secs as i64);
        true
    }

    fn amount(&mut self) -> u64 {
        match self.rng.below(10) {
            0 => 0,
            1 => u64::MAX / 2,
            _ => (1 + self.rng.below(200_000)) * USDC / (1 + self.rng.below(3)),
        }
    }

    fn reserve_accounts(&self, v: usize) -> ReserveAccounts {
        ReserveAccounts {
            vault: self.vaults[v].vault,
            reserve: self.vaults[v].reserve,
            ..self.f.reserve_accounts()
        }
    }

    fn fund(&mut self, v: usize) -> bool {
        let amount = self.amount();
        let ix = self.reserve_accounts(v).fund_ix(amount);
        let protocol = self.f.protocol.insecure_clone();
        self.send(ix, &[&protocol])
    }

    fn withdraw(&mut self, v: usize) -> bool {
        let amount = self.amount();
        let ix = self.reserve_accounts(v).withdraw_ix(amount);
        let protocol = self.f.protocol.insecure_clone();
        self.send(ix, &[&protocol])
    }

    /// Deposit then withdraw the same amount: the protocol must end where it started.
    fn round_trip(&mut self, v: usize) -> bool {
        let amount = (1 + self.rng.below(10_000)) * USDC;
        let before = token_balance(&self.f.env.svm, &self.f.protocol_token);
        let acc = self.reserve_accounts(v);
        let protocol = self.f.protocol.insecure_clone();
        if !self.send(acc.fund_ix(amount), &[&protocol]) {
            return false;
        }
        let ok = self.send(acc.withdraw_ix(amount), &[&protocol]);
        assert!(ok, "withdrawing what was just deposited failed");
        let after = token_balance(&self.f.env.svm, &self.f.protocol_token);
        assert_eq!(
            after, before,
            "a deposit-withdraw round trip changed the balance"
        );
        true
    }

    fn open(&mut self, v: usize) -> bool {
        let live = self
            .series
            .iter()
            .filter(|s| s.vault == v && !s.closed)
            .count();
        if live >= MAX_SERIES_PER_VAULT && self.rng.chance(90) {
            return false;
        }
        let strike = (80 + self.rng.below(41)) * USDC;
        let expiry = self.now() + 600 + self.rng.below(3 * 86_400) as i64;
        let keys = SeriesKeys::new(&self.vaults[v].vault, strike, expiry);
        let accounts = OpenSeriesAccounts {
            payer: self.f.payer.pubkey(),
            risk_authority: self.f.risk.pubkey(),
            vault: self.vaults[v].vault,
            reserve: self.vaults[v].reserve,
            keys,
            quote_mint: self.f.quote_mint,
        };
        let physical = self.rng.chance(30);
        let args = OpenSeriesArgs {
            premium_budget: self.amount().min(2_000_000 * USDC),
            style: if physical {
                SeriesStyle::PhysicalDelivery
            } else {
                SeriesStyle::CashRatchet
            },
            ..Market::series_args(strike, expiry)
        };
        let (payer, risk) = (self.f.payer.insecure_clone(), self.f.risk.insecure_clone());
        let ok = self.send(accounts.ix(args), &[&payer, &risk]);
        if ok {
            self.track(v, keys, physical);
        }
        ok
    }

    /// Follows a series the run opened (by hand or by a roll) from now on.
    fn track(&mut self, vault: usize, keys: SeriesKeys, physical: bool) {
        let positions =
            std::array::from_fn(|i| position_pda(&keys.series, &self.writers[i].key.pubkey()));
        self.series.push(SeriesSlot {
            vault,
            keys,
            positions,
            settled: None,
            closed: false,
            physical,
            collateral: collateral_pda(&keys.series),
        });
    }

    fn ladder_state(&self, v: usize) -> Option<Ladder> {
        let acc = self
            .f
            .env
            .svm
            .get_account(&ladder_pda(&self.vaults[v].vault))?;
        Ladder::try_deserialize(&mut acc.data.as_slice()).ok()
    }

    /// The risk authority proposes a changed, stopped or restarted template, or applies the
    /// pending one (too early as often as not): a template binds only the timelock after it
    /// was proposed.
    fn change_ladder(&mut self, v: usize) -> bool {
        let Some(before) = self.ladder_state(v) else {
            return false;
        };
        let template = if before.pending_at != 0 && self.rng.chance(60) {
            before.pending
        } else {
            match self.rng.below(4) {
                0 => LadderTemplate::default(),
                1 => LadderTemplate {
                    strikes_bps: [8_500, 0, 0, 0],
                    ..before.template
                },
                _ => LadderTemplate {
                    overlap_secs: 6 * 3_600,
                    strikes_bps: [8_000, 9_500, 0, 0],
                    style: if v == 0 {
                        SeriesStyle::CashRatchet
                    } else {
                        SeriesStyle::PhysicalDelivery
                    },
                    ..daily_template()
                },
            }
        };
        let accounts = SetLadderAccounts {
            payer: self.f.payer.pubkey(),
            risk_authority: self.f.risk.pubkey(),
            vault: self.vaults[v].vault,
            ladder: ladder_pda(&self.vaults[v].vault),
        };
        let (payer, risk) = (self.f.payer.insecure_clone(), self.f.risk.insecure_clone());
        let now = self.now();
        let ok = self.send(accounts.ix(template), &[&payer, &risk]);
        let after = self.ladder_state(v).expect("the ladder stays");
        if after.template != before.template {
            assert!(
                ok && before.pending_at != 0
                    && now >= before.pending_at
                    && before.pending == template,
                "a template bound without waiting the timelock"
            );
        }
        ok
    }

    /// A keeper rolls a rung (sometimes an unused one, a neighbouring strike or a wrong
    /// expiry); an accepted roll opens exactly the rung's next series.
    fn roll(&mut self, v: usize) -> bool {
        let Some(ladder) = self.ladder_state(v) else {
            return false;
        };
        let rung = self.rng.below(3) as usize; // rung 2 is unused
        let t = ladder.template;
        let bps = t.strikes_bps.get(rung).copied().unwrap_or(0);
        let tick = t.strike_tick.max(1);
        let cents = self.vaults[v].cents;
        let mut strike = rung_strike(cents, bps.max(1_000), tick);
        match self.rng.below(20) {
            0 | 1 => strike += tick,
            2 => strike = strike.saturating_sub(tick),
            _ => {}
        }
        let now = self.now();
        let mut expiry = rung_expiry(&ladder, rung, now);
        if self.rng.chance(5) {
            expiry += 3_600;
        }
        let keys = SeriesKeys::new(&self.vaults[v].vault, strike, expiry);
        let accounts = RollSeriesAccounts {
            payer: self.keeper.key.pubkey(),
            vault: self.vaults[v].vault,
            ladder: ladder_pda(&self.vaults[v].vault),
            price_update: self.vaults[v].price_account,
            reserve: self.vaults[v].reserve,
            keys,
            quote_mint: self.f.quote_mint,
        };
        let committed = self.vault_state(v).totals.committed_premium;
        let keeper = self.keeper.key.insecure_clone();
        let ok = self.send(accounts.ix(rung as u8), &[&keeper]);
        if ok {
            // Due, on schedule (or one tenor from a lapse), within a tick of the rung's share
            // of the spot it read, and its budget committed.
            let r = ladder.rungs[rung];
            assert!(bps != 0 && !t.is_stopped(), "an unused rung rolled");
            assert!(
                r.series == Pubkey::default() || now >= r.expiry - i64::from(t.overlap_secs),
                "rolled before the overlap window"
            );
            assert_eq!(
                expiry,
                rung_expiry(&ladder, rung, now),
                "off-schedule expiry"
            );
            let target = cents as u64 * USDC / 100 * u64::from(bps) / 10_000;
            assert!(
                strike.is_multiple_of(tick)
                    && strike.abs_diff(target) < tick
                    && strike <= cents as u64 * USDC / 100,
                "strike {strike} is not a grid point within a tick of {target}, at most spot"
            );
            assert_eq!(
                self.vault_state(v).totals.committed_premium,
                committed + t.budget_per_series,
                "a roll commits exactly its budget"
            );
            self.track(v, keys, t.style == SeriesStyle::PhysicalDelivery);
        }
        ok
    }

    fn pick_series(&mut self) -> Option<SeriesSlot> {
        let live: Vec<SeriesSlot> = self.series.iter().copied().filter(|s| !s.closed).collect();
        (!live.is_empty()).then(|| self.rng.pick(&live))
    }

    /// Mostly a series still open (writes and releases), sometimes any live one.
    fn pick_open_series(&mut self) -> Option<SeriesSlot> {
        let open: Vec<SeriesSlot> = self
            .series
            .iter()
            .copied()
            .filter(|s| !s.closed && s.settled.is_none())
            .collect();
        if open.is_empty() || self.rng.chance(15) {
            return self.pick_series();
        }
        Some(self.rng.pick(&open))
    }

    /// Sabotage for the checker's own test: moves tokens out of a funded escrow behind the
    /// program's back. Returns false when no escrow holds anything yet.
    pub fn drain_an_escrow(&mut self) -> bool {
        let funded = self
            .series
            .iter()
            .find(|s| !s.closed && token_balance_or_zero(&self.f.env.svm, &s.keys.escrow) > 0)
            .copied();
        let Some(s) = funded else {
            return false;
        };
        let mut acc = self.f.env.svm.get_account(&s.keys.escrow).expect("escrow");
        // SPL token account layout: amount at bytes 64..72.
        let amount = u64::from_le_bytes(acc.data[64..72].try_into().expect("amount"));
        acc.data[64..72].copy_from_slice(&(amount - 1).to_le_bytes());
        self.f
            .env
            .svm
            .set_account(s.keys.escrow, acc)
            .expect("write escrow");
        true
    }

    fn write(&mut self) -> bool {
        let Some(s) = self.pick_open_series() else {
            return false;
        };
        let w = self.rng.below(self.writers.len() as u64) as usize;
        self.publish(s.vault, 0);
        let size = match self.rng.below(10) {
            0 => 0,
            1 => u64::MAX / 4,
            _ => (1 + self.rng.below(50 * SOL)) / (1 + self.rng.below(4)),
        };
        let writer = &self.writers[w];
        let accounts = WritePutAccounts {
            writer: writer.key.pubkey(),
            vault: self.vaults[s.vault].vault,
            keys: s.keys,
            position: s.positions[w],
            writer_token: writer.token,
            reserve: self.vaults[s.vault].reserve,
            price_update: self.vaults[s.vault].price_account,
            quote_mint: self.f.quote_mint,
        };
        let min_premium = if self.rng.chance(10) { u64::MAX } else { 0 };
        let key = writer.key.insecure_clone();
        self.send(accounts.ix(WritePutArgs { size, min_premium }), &[&key])
    }

    fn observe(&mut self, v: usize) -> bool {
        let depeg = Some(self.vaults[v].depeg_account);
        self.observe_with(v, depeg)
    }

    fn observe_with(&mut self, v: usize, depeg: Option<Pubkey>) -> bool {
        let ix = program_ix(
            backstop::accounts::ObserveBreach {
                vault: self.vaults[v].vault,
                price_update: self.vaults[v].price_account,
                depeg_price_update: depeg,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::ObserveBreach {},
        );
        let ok = self.send(ix, &[]);
        self.assert_not_failed_closed("observe_breach");
        ok
    }

    fn assert_not_failed_closed(&self, what: &str) {
        if let Some(code) = self.last_error {
            assert!(
                !FAIL_CLOSED.contains(&code),
                "{what} failed closed on a stressed feed: error {code}"
            );
        }
    }

    fn report(&mut self, v: usize) -> bool {
        let ix = program_ix(
            backstop::accounts::ReportSolvency {
                reporter: self.f.reporter.pubkey(),
                vault: self.vaults[v].vault,
                price_update: self.vaults[v].price_account,
                depeg_price_update: Some(self.vaults[v].depeg_account),
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::ReportSolvency {
                args: ReportSolvencyArgs {
                    collateral_amount: self.rng.below(10_000) * SOL,
                    liabilities: self.rng.below(1_000_000) * USDC,
                },
            },
        );
        let reporter = self.f.reporter.insecure_clone();
        self.send(ix, &[&reporter])
    }

    fn trigger(&mut self) -> bool {
        let Some(s) = self.pick_open_series() else {
            return false;
        };
        self.trigger_series(s)
    }

    fn trigger_series(&mut self, s: SeriesSlot) -> bool {
        self.publish(s.vault, 0);
        let depeg = Some(self.vaults[s.vault].depeg_account);
        self.send_trigger(s, depeg)
    }

    /// `try_release` on an open series, held to its read-only view and to its strict twin
    /// `trigger`, both simulated first in the same slot: the view predicts the outcome to the
    /// unit; it pays exactly when `trigger` would succeed; it reverts only where `trigger` would
    /// too; a status other than Released moves no token, and Released moves exactly what it
    /// reports.
    fn try_release(&mut self) -> bool {
        let Some(s) = self.pick_open_series() else {
            return false;
        };
        self.publish(s.vault, 0);
        let vk = &self.vaults[s.vault];
        let depeg = Some(vk.depeg_account);
        let keeper = self.keeper.key.insecure_clone();
        let view = self
            .simulate(
                program_ix(
                    backstop::accounts::ReleaseStatusView {
                        vault: vk.vault,
                        series: s.keys.series,
                        reserve: vk.reserve,
                        price_update: vk.price_account,
                        depeg_price_update: depeg,
                    },
                    backstop::instruction::ReleaseStatus {
                        caller: keeper.pubkey(),
                    },
                ),
                &[],
            )
            .map(|data| ReleaseOutcome::deserialize(&mut data.as_slice()).expect("outcome"));
        let strict = self
            .simulate(
                program_ix(
                    self.release_accounts(&s, depeg),
                    backstop::instruction::Trigger {},
                ),
                &[&keeper],
            )
            .is_some();
        let watched = [vk.recovery, self.keeper.token, s.keys.escrow, vk.reserve];
        let balances = |svm: &LiteSVM| watched.map(|k| token_balance(svm, &k));
        let before = balances(&self.f.env.svm);
        let advanced_before = self.series_state(&s).expect("series").advanced;
        let ix = program_ix(
            self.release_accounts(&s, depeg),
            backstop::instruction::TryRelease {},
        );
        let Some(meta) = self.send_for_meta(ix, &[&keeper]) else {
            self.assert_not_failed_closed("try_release");
            assert!(!strict, "try_release reverted where trigger would pay");
            assert!(view.is_none(), "try_release reverted, its view did not");
            return false;
        };
        let outcome =
            ReleaseOutcome::deserialize(&mut meta.return_data.data.as_slice()).expect("outcome");
        *self
            .release_statuses
            .entry(format!("{:?}", outcome.status))
            .or_default() += 1;
        assert_eq!(view, Some(outcome), "the view did not predict try_release");
        assert_eq!(
            outcome.status == ReleaseStatus::Released,
            strict,
            "try_release said {:?} where trigger would {}",
            outcome.status,
            if strict { "pay" } else { "revert" }
        );
        let after = balances(&self.f.env.svm);
        let advanced = self.series_state(&s).expect("series").advanced;
        assert_eq!(advanced, outcome.advanced, "advances other than reported");
        if outcome.status == ReleaseStatus::Released {
            self.release_steps += 1;
            assert!(outcome.payout > 0 && advanced == advanced_before + outcome.payout);
            assert_eq!(
                after[0] - before[0],
                outcome.payout,
                "recovery got other than the payout"
            );
            assert_eq!(
                after[1] - before[1],
                outcome.tip,
                "the caller got other than the tip"
            );
            assert_eq!(
                before[2] - after[2],
                outcome.payout,
                "escrow paid other than the payout"
            );
            assert_eq!(
                before[3] - after[3],
                outcome.tip,
                "reserve paid other than the tip"
            );
        } else {
            assert_eq!((outcome.payout, outcome.tip), (0, 0));
            assert_eq!(after, before, "{:?} moved tokens", outcome.status);
        }
        true
    }

    /// The accounts of `trigger` and `try_release` (the same list) for the keeper.
    fn release_accounts(
        &self,
        s: &SeriesSlot,
        depeg: Option<Pubkey>,
    ) -> backstop::accounts::Trigger {
        let vk = &self.vaults[s.vault];
        backstop::accounts::Trigger {
            keeper: self.keeper.key.pubkey(),
            vault: vk.vault,
            series: s.keys.series,
            escrow: s.keys.escrow,
            recovery: vk.recovery,
            reserve: vk.reserve,
            keeper_token: self.keeper.token,
            price_update: vk.price_account,
            depeg_price_update: depeg,
            quote_mint: self.f.quote_mint,
            token_program: TOKEN_PROGRAM_ID,
            event_authority: event_authority(),
            program: backstop::ID,
        }
    }

    fn send_trigger(&mut self, s: SeriesSlot, depeg: Option<Pubkey>) -> bool {
        let ix = program_ix(
            self.release_accounts(&s, depeg),
            backstop::instruction::Trigger {},
        );
        let keeper = self.keeper.key.insecure_clone();
        let before = self.series_state(&s);
        let ok = self.send(ix, &[&keeper]);
        self.assert_not_failed_closed("trigger");
        if ok {
            self.release_steps += 1;
            // The cap in force at each release bounds the epoch's releases (the authority may
            // lower it mid-epoch: releases then stop until the epoch rolls).
            let vault = self.vault_state(s.vault);
            assert!(
                vault.released_in_epoch <= vault.release.cap_per_epoch,
                "a release took the epoch to {} past its cap {}",
                vault.released_in_epoch,
                vault.release.cap_per_epoch
            );
            // A step only ever adds to what was advanced (the ratchet).
            let (before, after) = (
                before.expect("series"),
                self.series_state(&s).expect("series"),
            );
            assert!(
                after.advanced > before.advanced,
                "a step that advanced nothing"
            );
        }
        assert!(
            !(ok && s.settled.is_some()),
            "a settled series was exercised"
        );
        ok
    }

    /// The protocol (sometimes a stranger) delivers collateral to a series (sometimes a cash
    /// one, a zero or an oversized amount): on success exactly `size` collateral came in,
    /// `floor(strike x size)` quote went to recovery and `size` put tokens burned.
    fn deliver(&mut self) -> bool {
        let Some(s) = self.pick_open_series() else {
            return false;
        };
        let Some(before) = self.series_state(&s) else {
            return false;
        };
        let unexercised = before.written_size - before.delivered_size;
        let size = match self.rng.below(10) {
            0 => 0,
            1 => unexercised + 1,
            _ => 1 + self.rng.below(unexercised.max(1)),
        };
        let (vault, recovery_account) = (self.vaults[s.vault].vault, self.vaults[s.vault].recovery);
        let stranger = self.rng.chance(10);
        let deliverer = if stranger {
            self.stranger.insecure_clone()
        } else {
            self.f.protocol.insecure_clone()
        };
        let from = if stranger {
            self.writer_collateral[0]
        } else {
            self.protocol_collateral
        };
        let collateral = s.collateral;
        let ix = program_ix(
            backstop::accounts::DeliverCollateral {
                payer: self.fee_payer.pubkey(),
                deliverer: deliverer.pubkey(),
                vault,
                series: s.keys.series,
                collateral,
                deliverer_collateral: from,
                escrow: s.keys.escrow,
                put_mint: s.keys.put_mint,
                holder: s.keys.holder,
                recovery: recovery_account,
                collateral_mint: self.collateral_mint,
                quote_mint: self.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                system_program: anchor_lang::system_program::ID,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::DeliverCollateral { size },
        );
        let svm = &self.f.env.svm;
        let (recovery, held, supply) = (
            token_balance(svm, &recovery_account),
            token_balance_or_zero(svm, &collateral),
            mint_supply(svm, &s.keys.put_mint),
        );
        let ok = self.send(ix, &[&deliverer]);
        if ok {
            assert!(
                s.physical && !stranger,
                "a delivery to a cash series or by a stranger"
            );
            assert!(
                size > 0 && size <= unexercised,
                "a delivery past the unexercised size"
            );
            // Only during a confirmed breach, or from expiry to the end of the grace hour.
            let now = self.now();
            let grace_end = before.expiry + backstop::constants::SETTLEMENT_GRACE_SECS;
            assert!(
                (now >= before.expiry && now < grace_end)
                    || (now < before.expiry && self.vault_state(s.vault).breach_confirmed(now)),
                "a delivery outside a confirmed breach and the grace hour"
            );
            let svm = &self.f.env.svm;
            let paid = (u128::from(before.strike) * u128::from(size) / u128::from(SOL)) as u64;
            assert_eq!(
                token_balance(svm, &recovery_account) - recovery,
                paid,
                "paid other than the strike"
            );
            assert_eq!(
                token_balance(svm, &collateral) - held,
                size,
                "collateral other than the size"
            );
            assert_eq!(
                supply - mint_supply(svm, &s.keys.put_mint),
                size,
                "burned other than the size"
            );
        }
        ok
    }

    fn settle(&mut self) -> bool {
        let Some(s) = self.pick_series() else {
            return false;
        };
        let now = self.now();
        let expiry = s.keys.expiry;
        let upd = Pubkey::new_unique();
        let cents = self.vaults[s.vault].cents;
        // Mostly the first update at/after expiry; sometimes a later one, or one too early.
        let (publish, prev) = match self.rng.below(10) {
            0 => (expiry - 1, expiry - 2),
            1 => (expiry + 30, expiry + 10),
            _ => (expiry + self.rng.below(5) as i64, expiry - 1),
        };
        if publish > now {
            return false;
        }
        let mut update = PriceUpdate::new(
            self.vaults[s.vault].feed,
            cents * 1_000_000,
            1_000,
            -8,
            publish,
        );
        update.prev_publish_time = prev;
        write_price_update(&mut self.f.env.svm, upd, &update);
        let vk = &self.vaults[s.vault];
        // After the deadline a keeper may settle with no update at all (the vault's last
        // observed price stands in): settlement always ends.
        let past_deadline = now >= expiry + backstop::constants::SETTLEMENT_DEADLINE_SECS;
        let price_update = (!past_deadline || self.rng.chance(50)).then_some(upd);
        let ix = program_ix(
            backstop::accounts::SettleSeries {
                vault: vk.vault,
                series: s.keys.series,
                escrow: s.keys.escrow,
                put_mint: s.keys.put_mint,
                holder: s.keys.holder,
                recovery: vk.recovery,
                price_update,
                quote_mint: self.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::SettleSeries {},
        );
        let ok = self.send(ix, &[]);
        if ok {
            if let Some(state) = self.series_state(&s) {
                if state.status == SeriesStatus::Settled {
                    let slot = self.slot_mut(&s);
                    if slot.settled.is_none() {
                        slot.settled = Some((state.advanced, state.payout_total));
                    }
                }
            }
        }
        ok
    }

    fn slot_mut(&mut self, s: &SeriesSlot) -> &mut SeriesSlot {
        self.series
            .iter_mut()
            .find(|x| x.keys.series == s.keys.series)
            .expect("slot")
    }

    fn reclaim(&mut self) -> bool {
        let Some(s) = self.pick_series() else {
            return false;
        };
        let i = self.rng.below(self.writers.len() as u64) as usize;
        let w = &self.writers[i];
        // A physical series' reclaim carries its collateral accounts (sometimes forgotten:
        // refused when there is collateral to return).
        let delivered = self
            .series_state(&s)
            .is_some_and(|state| state.collateral != Pubkey::default());
        let with_collateral = delivered && self.rng.chance(90);
        let ix = program_ix(
            backstop::accounts::Reclaim {
                vault: self.vaults[s.vault].vault,
                series: s.keys.series,
                position: s.positions[i],
                writer: w.key.pubkey(),
                writer_token: w.token,
                escrow: s.keys.escrow,
                quote_mint: self.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
                collateral: with_collateral.then_some(s.collateral),
                writer_collateral: with_collateral.then(|| self.writer_collateral[i]),
                collateral_mint: with_collateral.then_some(self.collateral_mint),
            },
            backstop::instruction::Reclaim {},
        );
        let had_position = self.f.env.svm.get_account(&s.positions[i]).is_some();
        let ok = self.send(ix, &[]);
        assert!(
            !(ok && s.settled.is_none()),
            "a reclaim before settlement succeeded"
        );
        // Liveness: once settled, every position can take its money back.
        assert!(
            ok || s.settled.is_none() || !had_position || (delivered && !with_collateral),
            "a writer could not reclaim a settled position"
        );
        ok
    }

    fn close(&mut self) -> bool {
        let Some(s) = self.pick_series() else {
            return false;
        };
        let vk = &self.vaults[s.vault];
        let ix = program_ix(
            backstop::accounts::CloseSeries {
                vault: vk.vault,
                series: s.keys.series,
                escrow: s.keys.escrow,
                holder: s.keys.holder,
                reserve: vk.reserve,
                rent_receiver: self.f.protocol.pubkey(),
                quote_mint: self.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
                collateral: self
                    .series_state(&s)
                    .is_some_and(|state| state.collateral != Pubkey::default())
                    .then_some(s.collateral),
            },
            backstop::instruction::CloseSeries {},
        );
        let closable = s.settled.is_some()
            && self
                .series_state(&s)
                .is_some_and(|state| state.open_positions == 0);
        let ok = self.send(ix, &[]);
        assert!(
            ok || !closable,
            "a settled, fully reclaimed series could not close"
        );
        if ok {
            assert!(s.settled.is_some(), "an unsettled series closed");
            self.slot_mut(&s).closed = true;
        }
        ok
    }

    fn withdraw_recovery(&mut self, v: usize) -> bool {
        let amount = self.amount() / 10;
        let ix = program_ix(
            backstop::accounts::WithdrawRecovery {
                authority: self.f.protocol.pubkey(),
                vault: self.vaults[v].vault,
                recovery: self.vaults[v].recovery,
                destination: self.f.protocol_token,
                quote_mint: self.f.quote_mint,
                token_program: TOKEN_PROGRAM_ID,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::WithdrawRecovery { amount },
        );
        let protocol = self.f.protocol.insecure_clone();
        self.send(ix, &[&protocol])
    }

    /// The authority proposes new settings, or re-sends the pending proposal (which applies it
    /// once the vault's timelock has passed, and is refused before).
    fn update_settings(&mut self, v: usize) -> bool {
        let current = self.vault_state(v);
        let p = backstop::state::PendingSettings::from(current.pending_settings);
        if p.effective_at != 0 && self.rng.chance(50) {
            let args = UpdateVaultSettingsArgs {
                trigger: p.trigger,
                pricing: p.pricing,
                release: p.release,
                settings_timelock_secs: p.settings_timelock_secs,
            };
            let ok = self.send_settings(v, args);
            let after = self.vault_state(v);
            let elapsed = self.now() >= p.effective_at;
            if ok && elapsed {
                assert_eq!(after.trigger, p.trigger.into(), "matured settings applied");
                assert_eq!(after.pending_settings.effective_at, 0);
            }
            assert!(
                ok || !elapsed || after.totals.escrowed > 0,
                "a matured proposal refused"
            );
            return ok;
        }
        let mut trigger = backstop::state::TriggerSettings::from(current.trigger);
        // Loosen or tighten the barrier; tighten fails while capital is escrowed.
        let step = PRICE_ONE * (1 + self.rng.below(5));
        trigger.barrier_price = if self.rng.chance(50) {
            trigger.barrier_price.saturating_sub(step).max(PRICE_ONE)
        } else {
            trigger
                .barrier_price
                .saturating_add(step)
                .min(140 * PRICE_ONE)
        };
        let mut release = backstop::state::ReleaseSettings::from(current.release);
        if self.rng.chance(30) {
            release.cap_per_epoch = (1 + self.rng.below(2_000_000)) * USDC;
        }
        let args = UpdateVaultSettingsArgs {
            trigger,
            pricing: current.pricing.into(),
            release,
            settings_timelock_secs: current.settings_timelock_secs,
        };
        self.send_settings(v, args)
    }

    fn send_settings(&mut self, v: usize, args: UpdateVaultSettingsArgs) -> bool {
        let ix = program_ix(
            backstop::accounts::UpdateVaultSettings {
                authority: self.f.protocol.pubkey(),
                vault: self.vaults[v].vault,
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::UpdateVaultSettings { args },
        );
        let protocol = self.f.protocol.insecure_clone();
        self.send(ix, &[&protocol])
    }

    /// The admin pauses or resumes risk-adding operations (mostly resumes, so the run keeps
    /// writing); paused operations must then be refused, the rest carry on.
    fn pause(&mut self) -> bool {
        use backstop::state::pause;
        let flags = if self.rng.chance(60) {
            0
        } else {
            self.rng.pick(&[
                pause::WRITE_PUT,
                pause::OPEN_SERIES,
                pause::FUND_RESERVE,
                pause::ALL,
            ])
        };
        let admin = self.f.env.upgrade_authority.insecure_clone();
        let ix = program_ix(
            backstop::accounts::SetPauseFlags {
                admin: admin.pubkey(),
                config: crate::config_pda(),
                event_authority: event_authority(),
                program: backstop::ID,
            },
            backstop::instruction::SetPauseFlags { pause_flags: flags },
        );
        self.send(ix, &[&admin])
    }

    /// A stranger tries what only the vault's parties may do: every attempt must fail.
    fn stranger_attack(&mut self, v: usize) -> bool {
        let stranger = self.stranger.insecure_clone();
        let accounts = ReserveAccounts {
            signer: stranger.pubkey(),
            token: self.stranger_token,
            ..self.reserve_accounts(v)
        };
        let mut signers = vec![&stranger];
        let ix = match self.rng.below(3) {
            0 => accounts.withdraw_ix(USDC),
            1 => program_ix(
                backstop::accounts::WithdrawRecovery {
                    authority: stranger.pubkey(),
                    vault: self.vaults[v].vault,
                    recovery: self.vaults[v].recovery,
                    destination: self.stranger_token,
                    quote_mint: self.f.quote_mint,
                    token_program: TOKEN_PROGRAM_ID,
                    event_authority: event_authority(),
                    program: backstop::ID,
                },
                backstop::instruction::WithdrawRecovery { amount: 1 },
            ),
            _ => {
                // Reclaim someone else's position into the stranger's account.
                let Some(s) = self.pick_series() else {
                    return false;
                };
                let w = &self.writers[0];
                signers.clear(); // permissionless: the wrong destination must be enough
                program_ix(
                    backstop::accounts::Reclaim {
                        vault: self.vaults[s.vault].vault,
                        series: s.keys.series,
                        position: s.positions[0],
                        writer: w.key.pubkey(),
                        writer_token: self.stranger_token,
                        escrow: s.keys.escrow,
                        quote_mint: self.f.quote_mint,
                        token_program: TOKEN_PROGRAM_ID,
                        event_authority: event_authority(),
                        program: backstop::ID,
                        collateral: None,
                        writer_collateral: None,
                        collateral_mint: None,
                    },
                    backstop::instruction::Reclaim {},
                )
            }
        };
        let ok = self.send(ix, &signers);
        assert!(!ok, "a stranger's transaction succeeded");
        ok
    }

    /// The invariants, checked after every step.
    pub fn check_invariants(&self) {
        let svm = &self.f.env.svm;
        assert_eq!(
            self.quote_sum(),
            self.quote_total,
            "quote tokens were created or destroyed"
        );
        assert_eq!(
            self.collateral_sum(),
            self.collateral_total,
            "collateral tokens were created or destroyed"
        );
        for (i, vk) in self.vaults.iter().enumerate() {
            let vault = self.vault_state(i);
            let reserve = token_balance(svm, &vk.reserve);
            assert!(
                reserve >= vault.totals.committed_premium,
                "vault {i}: reserve {reserve} below committed premium {}",
                vault.totals.committed_premium
            );
        }
        // Every rung records a series the run opened by rolling, with its expiry; the float never
        // takes the ladder below its rent-exempt minimum.
        for v in 0..self.vaults.len() {
            let Some(ladder) = self.ladder_state(v) else {
                continue;
            };
            let key = ladder_pda(&self.vaults[v].vault);
            let acc = svm.get_account(&key).expect("ladder");
            assert!(
                acc.lamports >= svm.minimum_balance_for_rent_exemption(acc.data.len()),
                "the ladder fell below its rent-exempt minimum"
            );
            for r in ladder
                .rungs
                .iter()
                .filter(|r| r.series != Pubkey::default())
            {
                let slot = self
                    .series
                    .iter()
                    .find(|s| s.keys.series == r.series)
                    .expect("a rung records a series nobody rolled");
                assert_eq!(slot.keys.expiry, r.expiry, "a rung's expiry is its series'");
                if let (false, Some(state)) = (slot.closed, self.series_state(slot)) {
                    assert_eq!(state.expiry, r.expiry, "the rolled series' own expiry");
                }
            }
        }
        for s in self.series.iter().filter(|s| !s.closed) {
            let Some(state) = self.series_state(s) else {
                panic!("series {} vanished without close", s.keys.series);
            };
            let escrow = token_balance(svm, &s.keys.escrow);
            let held = state
                .escrow_deposited
                .checked_sub(state.payout_total)
                .and_then(|x| x.checked_sub(state.escrow_reclaimed))
                .expect("payouts and reclaims exceed deposits");
            assert!(escrow >= held, "escrow {escrow} below its books {held}");
            if s.physical {
                // Delivered collateral waits in the series until its writers take it back; the
                // put supply is the unexercised size until settlement burns it.
                let held = token_balance_or_zero(svm, &s.collateral);
                assert!(
                    held >= state.delivered_size - state.collateral_reclaimed,
                    "collateral account {held} below its books"
                );
                let unexercised = state.written_size - state.delivered_size;
                if state.status == SeriesStatus::Open {
                    assert_eq!(
                        mint_supply(svm, &s.keys.put_mint),
                        unexercised,
                        "put supply"
                    );
                    let still = (u128::from(state.strike) * u128::from(unexercised)
                        / u128::from(SOL)) as u64;
                    assert!(
                        escrow >= still,
                        "escrow {escrow} below what delivery can still take {still}"
                    );
                }
                assert_eq!(state.advanced, 0, "a physical series advanced cash");
                continue;
            }
            if state.status == SeriesStatus::Open {
                // The most the series can still pay: its strike value less what it advanced.
                let strike_value = (u128::from(state.strike) * u128::from(state.written_size)
                    / u128::from(SOL)) as u64;
                let max_payout = strike_value
                    .checked_sub(state.advanced)
                    .expect("advanced past the strike value");
                assert!(
                    escrow >= max_payout,
                    "escrow {escrow} below the most its puts can still pay {max_payout}"
                );
            }
            if state.status == SeriesStatus::Settled {
                // No crank lowered what the protocol received: the advances, or what was owed
                // at the settlement price, whichever is more.
                let strike_price = u128::from(state.strike) * 1_000_000;
                let owed = (strike_price.saturating_sub(u128::from(state.settlement_price))
                    * u128::from(state.written_size)
                    / 1_000_000_000_000_000) as u64;
                assert_eq!(
                    state.payout_total,
                    state.advanced.max(owed),
                    "settlement paid other than max(advanced, owed at expiry)"
                );
            }
            if let Some((advanced, payout)) = s.settled {
                assert_eq!(
                    (state.advanced, state.payout_total),
                    (advanced, payout),
                    "a settled series paid again"
                );
            }
        }
    }

    /// Replay instructions for a failure report.
    pub fn report_failure(&self) -> String {
        let recent: Vec<String> = self
            .history
            .iter()
            .map(|h| {
                format!(
                    "  step {} {} {}",
                    h.step,
                    h.action,
                    if h.ok { "ok" } else { "refused" }
                )
            })
            .collect();
        format!(
            "seed {:#x} failed at step {}; replay: FUZZ_SEED={:#x} FUZZ_STEPS={} cargo test -p backstop-litesvm-tests --test random_sequences\nlast steps:\n{}",
            self.seed,
            self.step,
            self.seed,
            self.step,
            recent.join("\n")
        )
    }
}

fn token_balance_or_zero(svm: &LiteSVM, key: &Pubkey) -> u64 {
    svm.get_account(key)
        .filter(|a| a.data.len() >= 72)
        .map(|_| token_balance(svm, key))
        .unwrap_or(0)
}
