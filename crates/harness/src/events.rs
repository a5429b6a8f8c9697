use anchor_lang::{event::EVENT_IX_TAG_LE, AnchorDeserialize, Discriminator};
use litesvm::types::TransactionMetadata;

/// Events of type `E` emitted with `emit_cpi!` (self-CPIs whose data is the event tag, the
/// event discriminator and the borsh body), in emission order.
pub fn cpi_events<E: Discriminator + AnchorDeserialize>(meta: &TransactionMetadata) -> Vec<E> {
    meta.inner_instructions
        .iter()
        .flatten()
        .filter_map(|inner| inner.instruction.data.strip_prefix(EVENT_IX_TAG_LE))
        .filter_map(|data| data.strip_prefix(E::DISCRIMINATOR))
        .map(|mut body| E::deserialize(&mut body).expect("event body"))
        .collect()
}
