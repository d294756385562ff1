//! What a mainToken resolves to. Server-side only: it holds `sessionId` and the complete lock,
//! which must never reach the browser (views are built from `role` and `lock_for_user`).

use std::sync::OnceLock;

use axum::body::Bytes;
use serde_json::Value;

use crate::chaster::models::{Lock, PartnerMetadata};
use crate::chaster::{ChasterError, SessionAuth};
use crate::domain::{LockId, Role, SessionId, UserId};
use crate::error::{AppError, Refused};

#[derive(Clone, Debug)]
pub struct ResolvedSession {
    pub role: Role,
    pub session_id: SessionId,
    /// The viewer.
    pub user_id: UserId,
    /// The lock's wearer (devices are bound to this user).
    pub wearer_id: UserId,
    pub lock_id: LockId,
    /// The complete lock (`session.lock`), for server decisions only.
    pub lock: Lock,
    /// The lock as the viewer may see it; the only lock data views use.
    pub lock_for_user: Lock,
    pub extension_name: String,
    pub extension_slug: String,
    /// Public extension configuration.
    pub config: Value,
    /// Private partner data.
    pub data: Value,
    pub metadata: PartnerMetadata,
    /// `GET /api/session`'s body, built once: the token cache hands this same resolution to
    /// every request of the page until it expires, and the view depends on nothing else.
    view_json: OnceLock<Bytes>,
}

impl ResolvedSession {
    pub fn from_auth(auth: SessionAuth) -> Result<ResolvedSession, ChasterError> {
        let role = Role::parse(&auth.role)
            .ok_or_else(|| ChasterError::Decode(format!("unexpected role {:?}", auth.role)))?;
        let session = auth.session;
        Ok(ResolvedSession {
            role,
            session_id: session.session_id,
            user_id: auth.user_id,
            wearer_id: session.lock.user.id.clone(),
            lock_id: session.lock.id.clone(),
            lock: session.lock,
            lock_for_user: auth.lock_for_user,
            extension_name: session.display_name,
            extension_slug: session.slug,
            config: session.config,
            data: session.data,
            metadata: session.metadata,
            view_json: OnceLock::new(),
        })
    }

    /// The session view's JSON, built by `build` the first time only.
    pub fn view_json<E>(
        &self,
        build: impl FnOnce(&ResolvedSession) -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(json) = self.view_json.get() {
            return Ok(json.clone());
        }
        let json = build(self)?;
        // A concurrent first request may have set it meanwhile: both built the same bytes.
        Ok(self.view_json.get_or_init(|| json).clone())
    }

    /// Refuses the request unless the viewer has `role`; `action` completes "Only the … may …".
    pub fn require_role(&self, role: Role, action: &str) -> Result<(), AppError> {
        if self.role == role {
            return Ok(());
        }
        let (who, reason) = match role {
            Role::Wearer => ("wearer", "only_wearer"),
            Role::Keyholder => ("keyholder", "only_keyholder"),
        };
        // The page words the role only: `action` is the English fallback's detail.
        Err(AppError::Forbidden(Refused::new(
            reason,
            format!("Only the {who} may {action}."),
        )))
    }
}
