//! The git-backed article store (placeholder until the store lands).
