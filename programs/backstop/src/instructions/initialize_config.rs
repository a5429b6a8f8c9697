use anchor_lang::{prelude::*, solana_program::bpf_loader_upgradeable};

use crate::{
    constants::CONFIG_SEED,
    errors::BackstopError,
    events::ConfigInitialized,
    state::{pause, Config},
};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct InitializeConfigArgs {
    /// Admin of the config: typically a multisig, may differ from the upgrade authority.
    pub admin: Pubkey,
    /// Operations paused from the start, see [`crate::state::pause`].
    pub pause_flags: u32,
    /// The Pyth receiver program whose price accounts vaults may read.
    pub pyth_receiver: Pubkey,
    /// Pyth's push oracle (whose sponsored accounts vaults may pin).
    pub pyth_push_oracle: Pubkey,
}

#[event_cpi]
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    /// The program's upgrade authority: the only key allowed to create the config.
    pub upgrade_authority: Signer<'info>,

    #[account(
        init,
        payer = payer,
        space = Config::SPACE,
        seeds = [CONFIG_SEED],
        bump,
    )]
    pub config: Account<'info, Config>,

    /// CHECK: this program's ProgramData: its address and owner are checked here, its upgrade
    /// authority read by `upgrade_authority_of` (by hand: the loader's bincode layout, without
    /// linking bincode and float formatting into the program).
    #[account(
        address = program_data_address() @ BackstopError::InvalidProgramData,
        owner = bpf_loader_upgradeable::ID @ BackstopError::InvalidProgramData,
        constraint = upgrade_authority_of(&program_data)? == Some(upgrade_authority.key())
            @ BackstopError::NotUpgradeAuthority,
    )]
    pub program_data: UncheckedAccount<'info>,

    pub system_program: Program<'info, System>,
}

/// This program's ProgramData account (upgradeable loader PDA of the program id).
fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(&[crate::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// Tag of the loader's `UpgradeableLoaderState::ProgramData` (a u32 little-endian enum tag).
const PROGRAM_DATA_TAG: [u8; 4] = [3, 0, 0, 0];

/// The upgrade authority a ProgramData account records: `[tag u32][slot u64][Option<Pubkey>]`
/// (the option as one byte, 0 or 1, then the key). `InvalidProgramData` for any other layout.
fn upgrade_authority_of(account: &AccountInfo) -> Result<Option<Pubkey>> {
    recorded_authority(&account.try_borrow_data()?)
}

fn recorded_authority(data: &[u8]) -> Result<Option<Pubkey>> {
    let header = data.get(..45).ok_or(BackstopError::InvalidProgramData)?;
    if header.get(..4) != Some(&PROGRAM_DATA_TAG[..]) {
        return err!(BackstopError::InvalidProgramData);
    }
    match header.get(12) {
        Some(0) => Ok(None),
        Some(1) => {
            let key: [u8; 32] = header
                .get(13..45)
                .and_then(|k| k.try_into().ok())
                .ok_or(BackstopError::InvalidProgramData)?;
            Ok(Some(Pubkey::new_from_array(key)))
        }
        _ => err!(BackstopError::InvalidProgramData),
    }
}

impl InitializeConfig<'_> {
    pub fn validate(&self, args: &InitializeConfigArgs) -> Result<()> {
        require!(
            args.pause_flags & !pause::ALL == 0,
            BackstopError::UnknownPauseFlags
        );
        require_keys_neq!(args.admin, Pubkey::default(), BackstopError::InvalidAdmin);
        require_keys_neq!(
            args.pyth_receiver,
            Pubkey::default(),
            BackstopError::UntrustedOracleReceiver
        );
        require_keys_neq!(
            args.pyth_push_oracle,
            Pubkey::default(),
            BackstopError::InvalidPushOracle
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let config = &mut ctx.accounts.config;
    config.admin = args.admin;
    config.pause_flags = args.pause_flags;
    config.pyth_receiver = args.pyth_receiver;
    config.pyth_push_oracle = args.pyth_push_oracle;
    config.bump = ctx.bumps.config;
    config.reserved = [0; 32];

    emit_cpi!(ConfigInitialized {
        config: config.key(),
        admin: config.admin,
        pause_flags: config.pause_flags,
        slot: Clock::get()?.slot,
    });
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn program_data(tag: u32, option: u8, key: [u8; 32], len: usize) -> Vec<u8> {
        let mut d = vec![0u8; len.max(45)];
        d[..4].copy_from_slice(&tag.to_le_bytes());
        d[4..12].copy_from_slice(&77u64.to_le_bytes());
        d[12] = option;
        d[13..45].copy_from_slice(&key);
        d.truncate(len);
        d
    }

    #[test]
    fn reads_the_loader_layout_and_refuses_any_other() {
        let key = [7u8; 32];
        let some = recorded_authority(&program_data(3, 1, key, 100)).unwrap();
        assert_eq!(some, Some(Pubkey::new_from_array(key)));
        assert_eq!(
            recorded_authority(&program_data(3, 0, key, 45)).unwrap(),
            None
        );
        let invalid = |d: Vec<u8>| recorded_authority(&d).unwrap_err();
        let expected: Error = BackstopError::InvalidProgramData.into();
        for bad in [
            program_data(2, 1, key, 100), // a Program account, not its ProgramData
            program_data(1, 1, key, 100), // a buffer
            program_data(3, 2, key, 100), // not an Option tag
            program_data(3, 1, key, 44),  // too short
        ] {
            assert_eq!(invalid(bad), expected);
        }
    }
}
