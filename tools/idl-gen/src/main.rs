//! Generates a program's Anchor IDL on the host, as `anchor idl build` does, with no Solana binary.
//!
//! usage: idl-gen <program-dir> <out.json> [extra cargo args...]
use std::{path::PathBuf, process::ExitCode};

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: idl-gen <program-dir> <out.json> [cargo args...]";
    let program = PathBuf::from(args.next().ok_or(usage)?);
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let cargo_args: Vec<String> = args.collect();
    // anchor-lang-idl passes RUSTUP_TOOLCHAIN on as a literal "+toolchain" argument; the
    // rust-toolchain.toml pin already selects the right toolchain, so drop it.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let program =
        std::fs::canonicalize(&program).map_err(|e| format!("{}: {e}", program.display()))?;
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program)
        .resolution(true)
        .cargo_args(cargo_args)
        .build()
        .map_err(|e| format!("IDL build failed: {e}"))?;
    let json = serde_json::to_string_pretty(&idl).map_err(|e| e.to_string())?;
    std::fs::write(&out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("idl-gen: wrote {}", out.display());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idl-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
