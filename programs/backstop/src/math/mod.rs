//! Pure fixed-point math used for pricing. No floats, no panics: every function returns a
//! `Result`.
