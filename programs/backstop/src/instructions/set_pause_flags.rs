use anchor_lang::prelude::*;

use crate::{
    constants::CONFIG_ADDRESS,
    errors::BackstopError,
    events::PauseFlagsSet,
    state::{pause, Config},
};

/// The admin pauses or resumes operations that add risk (vault creation, funding, opening
/// series, writing). Observation, release, settlement and reclaim have no flag at all.
#[event_cpi]
#[derive(Accounts)]
pub struct SetPauseFlags<'info> {
    pub admin: Signer<'info>,

    #[account(mut, dup, address = CONFIG_ADDRESS @ BackstopError::WrongConfig, has_one = admin @ BackstopError::NotAdmin)]
    pub config: Account<'info, Config>,
}

pub fn handler(ctx: Context<SetPauseFlags>, pause_flags: u32) -> Result<()> {
    require!(
        pause_flags & !pause::ALL == 0,
        BackstopError::UnknownPauseFlags
    );
    let config = &mut ctx.accounts.config;
    let old_flags = config.pause_flags;
    config.pause_flags = pause_flags;
    let event = PauseFlagsSet {
        admin: config.admin,
        old_flags,
        new_flags: pause_flags,
    };
    emit_cpi!(event);
    Ok(())
}
