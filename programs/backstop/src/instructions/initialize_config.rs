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

    #[account(
        address = program_data_address() @ BackstopError::InvalidProgramData,
        constraint = program_data.upgrade_authority_address == Some(upgrade_authority.key())
            @ BackstopError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,

    pub system_program: Program<'info, System>,
}

/// This program's ProgramData account (upgradeable loader PDA of the program id).
fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(&[crate::ID.as_ref()], &bpf_loader_upgradeable::ID).0
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
        Ok(())
    }
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    ctx.accounts.validate(&args)?;
    let config = &mut ctx.accounts.config;
    config.admin = args.admin;
    config.pause_flags = args.pause_flags;
    config.pyth_receiver = args.pyth_receiver;
    config.bump = ctx.bumps.config;
    config.reserved = [0; 64];

    emit_cpi!(ConfigInitialized {
        config: config.key(),
        admin: config.admin,
        pause_flags: config.pause_flags,
        slot: Clock::get()?.slot,
    });
    Ok(())
}
