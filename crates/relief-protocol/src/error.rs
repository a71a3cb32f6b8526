//! The body of every error response.

use serde::{Deserialize, Serialize};

/// `{"error": "stable_code", "message": "사람이 읽는 설명"}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}
