//! Tests for store_cmds.
