//! localnet: an offline local validator (surfpool-core) on fixed loopback ports, for the
//! TypeScript integration tests and the demo.
//!
//! usage: localnet [--host 127.0.0.1] [--rpc-port 8899] [--ws-port 8900]
//!                 [--program <ID>=<file.so>]... [--upgrade-authority <PUBKEY>]
//!                 [--account <PUBKEY>=<file.json>]... [--airdrop <PUBKEY>]...
//!                 [--block-production clock|transaction|manual] [--slot-time-ms 400]
//!                 [--ready-file PATH]
//!
//! Account fixture JSON: {"lamports":N,"owner":"<PUBKEY>","data_base64":"...","executable":false}
//!
//! The surfnet runs with `offline_mode` and no remote RPC URL, so it never opens a connection
//! beyond the loopback sockets it serves.
mod args;

use std::time::Instant;

use base64::Engine;
use solana_client::rpc_request::RpcRequest;
use surfpool_core::surfnet::{
    locker::SurfnetSvmLocker,
    svm::{SurfnetSvm, SurfnetSvmConfig},
};
use surfpool_sdk::RpcClient;
use surfpool_types::{RpcConfig, SimnetConfig, SimnetEvent, SurfpoolConfig, SvmFeatureConfig};

use crate::args::{die, Args};

/// Lamports given to each `--airdrop` address: 1,000 SOL.
const AIRDROP_LAMPORTS: u64 = 1_000_000_000_000;

fn cheatcode(rpc: &RpcClient, method: &'static str, params: serde_json::Value) {
    if let Err(e) = rpc.send::<serde_json::Value>(RpcRequest::Custom { method }, params) {
        die(format!("{method} failed: {e}"));
    }
}

fn load_fixture(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| die(format!("read {path}: {e}")));
    let j: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| die(format!("{path}: {e}")));
    let data = base64::engine::general_purpose::STANDARD
        .decode(j["data_base64"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| die(format!("{path}: data_base64: {e}")));
    let owner = j["owner"]
        .as_str()
        .unwrap_or_else(|| die(format!("{path}: owner missing")));
    serde_json::json!({
        "lamports": j["lamports"].as_u64().unwrap_or(1_000_000_000),
        "owner": owner,
        "executable": j["executable"].as_bool().unwrap_or(false),
        "data": hex::encode(&data),
    })
}

fn main() {
    let started = Instant::now();
    let args = Args::parse(std::env::args().skip(1).collect());

    let simnet = SimnetConfig {
        offline_mode: true,
        remote_rpc_url: None,
        slot_time: args.slot_time_ms,
        block_production_mode: args.block_production.clone(),
        airdrop_addresses: args.airdrops.clone(),
        airdrop_token_amount: AIRDROP_LAMPORTS,
        // No per-instruction profiles: they re-execute every transaction and keep account
        // snapshots (a program deploy writes a 2 MB buffer thousands of times); nothing here
        // reads them.
        instruction_profiling_enabled: false,
        max_profiles: 1,
        ..Default::default()
    };
    let config = SurfpoolConfig {
        simnets: vec![simnet.clone()],
        rpc: RpcConfig {
            bind_host: args.host.clone(),
            bind_port: args.rpc_port,
            ws_port: args.ws_port,
            ..Default::default()
        },
        ..Default::default()
    };
    let svm_config = SurfnetSvmConfig {
        surfnet_id: simnet.surfnet_id.clone(),
        slot_time: simnet.slot_time,
        instruction_profiling_enabled: simnet.instruction_profiling_enabled,
        max_profiles: simnet.max_profiles,
        log_bytes_limit: simnet.log_bytes_limit,
        feature_config: SvmFeatureConfig::default(),
        skip_blockhash_check: false,
    };
    let (svm, events, geyser) =
        SurfnetSvm::new(svm_config).unwrap_or_else(|e| die(format!("SurfnetSvm::new: {e}")));
    let (cmd_tx, cmd_rx) = crossbeam_channel::unbounded();
    let locker = SurfnetSvmLocker::new(svm);
    std::thread::Builder::new()
        .name("surfnet".into())
        .spawn(move || {
            let runloop = surfpool_core::runloops::start_local_surfnet_runloop(
                locker, config, cmd_tx, cmd_rx, geyser,
            );
            if let Err(e) = hiro_system_kit::nestable_block_on(runloop) {
                die(format!("runloop exited: {e}"));
            }
        })
        .unwrap_or_else(|e| die(format!("spawn: {e}")));

    loop {
        match events.recv() {
            Ok(SimnetEvent::CoreStarted(_)) => break,
            Ok(SimnetEvent::Aborted(e)) => die(format!("aborted: {e}")),
            Ok(SimnetEvent::ErrorLog(_, e)) => eprintln!("localnet: error: {e}"),
            Ok(_) => {}
            Err(e) => die(format!("event channel closed: {e}")),
        }
    }

    let rpc_url = format!("http://{}:{}", args.host, args.rpc_port);
    let ws_url = format!("ws://{}:{}", args.host, args.ws_port);
    let rpc = RpcClient::new(rpc_url.clone());
    let authority = args.upgrade_authority.map(|a| a.to_string());
    for (id, path) in &args.programs {
        let bytes = std::fs::read(path).unwrap_or_else(|e| die(format!("read {path}: {e}")));
        // One chunk at offset 0 (programs are far below the 15 MiB request limit).
        cheatcode(
            &rpc,
            "surfnet_writeProgram",
            serde_json::json!([id.to_string(), hex::encode(&bytes), 0, authority]),
        );
        println!("localnet: program {id} <- {path} ({} bytes)", bytes.len());
    }
    for (id, path) in &args.accounts {
        cheatcode(
            &rpc,
            "surfnet_setAccount",
            serde_json::json!([id.to_string(), load_fixture(path)]),
        );
        println!("localnet: account {id} <- {path}");
    }

    let ready = format!(
        "READY rpc={rpc_url} ws={ws_url} startup_ms={}",
        started.elapsed().as_millis()
    );
    println!("{ready}");
    if let Some(f) = &args.ready_file {
        std::fs::write(f, format!("{ready}\n")).unwrap_or_else(|e| die(format!("write {f}: {e}")));
    }
    // Serve until killed, draining events so the unbounded channel does not grow.
    let verbose = std::env::var_os("LOCALNET_VERBOSE").is_some();
    loop {
        match events.recv() {
            Ok(SimnetEvent::Shutdown) | Err(_) => std::process::exit(0),
            Ok(SimnetEvent::Aborted(e)) => die(format!("aborted: {e}")),
            Ok(SimnetEvent::ErrorLog(_, e)) => eprintln!("localnet: error: {e}"),
            Ok(ev) if verbose => eprintln!("localnet: {ev:?}"),
            Ok(_) => {}
        }
    }
}
