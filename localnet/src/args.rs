use std::str::FromStr;

use surfpool_sdk::Pubkey;
use surfpool_types::BlockProductionMode;

/// Prints `localnet: <msg>` and exits with status 2.
pub fn die(msg: String) -> ! {
    eprintln!("localnet: {msg}");
    std::process::exit(2)
}

pub struct Args {
    pub host: String,
    pub rpc_port: u16,
    pub ws_port: u16,
    pub programs: Vec<(Pubkey, String)>,
    pub upgrade_authority: Option<Pubkey>,
    pub accounts: Vec<(Pubkey, String)>,
    pub airdrops: Vec<Pubkey>,
    pub block_production: BlockProductionMode,
    pub slot_time_ms: u64,
    pub ready_file: Option<String>,
}

fn pubkey(s: &str) -> Pubkey {
    Pubkey::from_str(s).unwrap_or_else(|e| die(format!("bad pubkey {s}: {e}")))
}

fn key_and_path(s: &str) -> (Pubkey, String) {
    let (k, v) = s
        .split_once('=')
        .unwrap_or_else(|| die(format!("expected PUBKEY=PATH, got {s}")));
    (pubkey(k), v.to_string())
}

fn number<T: FromStr>(flag: &str, s: &str) -> T {
    s.parse()
        .unwrap_or_else(|_| die(format!("{flag}: not a number: {s}")))
}

impl Args {
    pub fn parse(argv: Vec<String>) -> Self {
        let mut a = Args {
            host: "127.0.0.1".into(),
            rpc_port: 8899,
            ws_port: 8900,
            programs: vec![],
            upgrade_authority: None,
            accounts: vec![],
            airdrops: vec![],
            block_production: BlockProductionMode::Clock,
            slot_time_ms: 400,
            ready_file: None,
        };
        let mut it = argv.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .unwrap_or_else(|| die(format!("{flag} needs a value")));
            match flag.as_str() {
                "--host" => a.host = value.clone(),
                "--rpc-port" => a.rpc_port = number(flag, value),
                "--ws-port" => a.ws_port = number(flag, value),
                "--program" => a.programs.push(key_and_path(value)),
                "--upgrade-authority" => a.upgrade_authority = Some(pubkey(value)),
                "--account" => a.accounts.push(key_and_path(value)),
                "--airdrop" => a.airdrops.push(pubkey(value)),
                "--slot-time-ms" => a.slot_time_ms = number(flag, value),
                "--ready-file" => a.ready_file = Some(value.clone()),
                "--block-production" => {
                    a.block_production = match value.as_str() {
                        "clock" => BlockProductionMode::Clock,
                        "transaction" => BlockProductionMode::Transaction,
                        "manual" => BlockProductionMode::Manual,
                        m => die(format!("unknown block production mode {m}")),
                    }
                }
                _ => die(format!("unknown argument {flag}")),
            }
        }
        if !is_loopback(&a.host) {
            die(format!("--host {} is not a loopback address", a.host));
        }
        a
    }
}

/// The validator only ever serves on loopback.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}
