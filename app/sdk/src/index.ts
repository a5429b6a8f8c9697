// @backstop/sdk: the Codama-generated client plus thin hand-written wrappers.
export * from './generated/backstop/index';
export * from './pdas';
export * from './config';
export * from './events';
export * from './tx';
export * from './pricing/index';
export * from './pyth';
export * from './vault-pdas';
export * from './units';
export * from './oracle';
export * from './compute';
export * from './errors';
export * from './views';
export * from './quote';
export * from './actions';
