//! Nothing here: this package exists for its benchmark target (`core.rs`).
