//! Tests for render.
