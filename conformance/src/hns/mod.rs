//! HNS inspection backend.
