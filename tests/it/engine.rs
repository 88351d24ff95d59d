//! Tests for engine.
