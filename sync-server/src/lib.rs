//! The Sổ Tay sync server (tokio + axum): a later issue builds it.
