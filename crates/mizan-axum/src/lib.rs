//! The axum adapter for Mizan.
