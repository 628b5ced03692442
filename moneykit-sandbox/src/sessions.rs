//! Link sessions, as MoneyKit runs them: `POST /link-session` opens one, the end user completes
//! it in Connect (here the test kit's [`Sandbox::complete_link_session`](crate::Sandbox::complete_link_session),
//! or the sandbox-only `POST /sandbox/link-session/complete` the quickstart calls), and
//! `POST /link-session/exchange-token` swaps the one-time token that completion gave for the new
//! link, which the link store serves from then on.
//!
//! A completed session's link waits here, not in the store: only the exchange tells the
//! application its id, so nothing can read it earlier.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use moneykit_api::types::{CreateLinkSessionRequest, PublicLinkState};
use moneykit_api::{Revealed, Secret};
use serde::{Deserialize, Serialize};

use crate::lock;
use crate::seed::SEED;
use crate::state::AppState;
use crate::store::NewLink;

/// The sandbox's own endpoint (not MoneyKit's) that completes a session over HTTP, for what
/// cannot call the test kit: the quickstart, or a front end in development. It takes the
/// application's credentials like every operation, `{"link_session_token": …}`, and answers
/// 200 with [`CompletedSession`] as JSON; 404 for an unknown session, 409 for one completed
/// already, 422 for a body it cannot read or an unknown institution.
pub const COMPLETE_PATH: &str = "/sandbox/link-session/complete";

/// Sessions and tokens not yet exchanged kept at most; past it the older half of them is
/// forgotten, as a sandbox that runs for days must not grow without bound.
const MAX_SESSIONS: usize = 10_000;

/// Links made by an exchange kept at most; past it the oldest is no longer served (404), so
/// that a sandbox left running under a test loop does not grow without bound.
const MAX_EXCHANGED_LINKS: usize = 10_000;

/// The institution a session without one connects: the seeded US link's.
const DEFAULT_INSTITUTION: &str = "credentials_bank";

/// Why a link session cannot be completed: [`Sandbox::complete_link_session`](crate::Sandbox::complete_link_session).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkSessionError {
    /// No session has this token (or it was forgotten: the sandbox keeps the 10,000 latest
    /// sessions and tokens, dropping the older half when full).
    UnknownSession,
    /// The session was completed already.
    AlreadyCompleted,
    /// The session preselected an institution the sandbox does not have.
    UnknownInstitution {
        /// The session's `institution_id`.
        institution_id: String,
    },
}

impl fmt::Display for LinkSessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkSessionError::UnknownSession => f.write_str("no link session has this token"),
            LinkSessionError::AlreadyCompleted => {
                f.write_str("the link session was completed already")
            }
            LinkSessionError::UnknownInstitution { institution_id } => write!(
                f,
                "the sandbox has no institution `{institution_id}` (it has those of its seeded \
                 connected links)"
            ),
        }
    }
}

impl std::error::Error for LinkSessionError {}

/// What completing a link session gave, as Connect hands it to the front end.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CompletedSession {
    /// The one-time token for `POST /link-session/exchange-token`; none for a session that
    /// reconnected an existing link (`existing_link_id`), which keeps its id.
    pub exchangeable_token: Option<Secret>,
    /// The link it reconnected, for a session with `existing_link_id`.
    pub existing_link_id: Option<String>,
}

#[derive(Default)]
pub(crate) struct LinkSessions {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Each open or completed session by its token.
    sessions: HashMap<String, Session>,
    /// Each token not yet exchanged, with when its session was opened and the link it is for.
    exchangeable: HashMap<String, (u64, NewLink)>,
    /// The ids of the links exchanges made, oldest first.
    exchanged: VecDeque<String>,
    /// Sessions opened so far: each session's number, for forgetting the older ones.
    opened: u64,
}

struct Session {
    completion: Completion,
    completed: bool,
    opened: u64,
}

/// What completing a session does: all the sandbox keeps of the request (not the end user's
/// id, email or phone, which it has no use for).
enum Completion {
    Reconnect {
        link_id: String,
    },
    NewLink {
        institution: String,
        webhook: Option<Secret>,
        link_tags: Option<Vec<String>>,
    },
}

impl LinkSessions {
    /// Opens a session for `request`; its token.
    pub(crate) fn open(&self, request: CreateLinkSessionRequest) -> String {
        let completion = match request.existing_link_id {
            Some(link_id) => Completion::Reconnect { link_id },
            None => Completion::NewLink {
                institution: institution(&request).to_owned(),
                webhook: request.webhook,
                link_tags: request.link_tags,
            },
        };
        let token = random_token("lst_");
        let mut inner = lock(&self.inner);
        inner.make_room();
        inner.opened += 1;
        let opened = inner.opened;
        let session = Session {
            completion,
            completed: false,
            opened,
        };
        inner.sessions.insert(token.clone(), session);
        token
    }

    /// Completes the session `token` as the end user would: a new link at the session's
    /// institution, with the data of the seeded link there, its `webhook` and `link_tags`.
    pub(crate) fn complete(&self, token: &str) -> Result<CompletedSession, LinkSessionError> {
        let mut inner = lock(&self.inner);
        let session = inner
            .sessions
            .get_mut(token)
            .ok_or(LinkSessionError::UnknownSession)?;
        if session.completed {
            return Err(LinkSessionError::AlreadyCompleted);
        }
        let link = match &session.completion {
            Completion::Reconnect { link_id } => {
                session.completed = true;
                return Ok(CompletedSession {
                    exchangeable_token: None,
                    existing_link_id: Some(link_id.clone()),
                });
            }
            Completion::NewLink {
                institution,
                webhook,
                link_tags,
            } => new_link(institution, webhook, link_tags)?,
        };
        session.completed = true;
        let opened = session.opened;
        let exchangeable = random_token("ext_");
        inner
            .exchangeable
            .insert(exchangeable.clone(), (opened, link));
        Ok(CompletedSession {
            exchangeable_token: Some(Secret::from(exchangeable)),
            existing_link_id: None,
        })
    }

    /// The link `token` is for, once: `None` for a token unknown or already exchanged.
    pub(crate) fn exchange(&self, token: &str) -> Option<NewLink> {
        let (_, link) = lock(&self.inner).exchangeable.remove(token)?;
        Some(link)
    }

    /// Records that an exchange made the link `id`; the id of the oldest such link once there
    /// are more than [`MAX_EXCHANGED_LINKS`], for the store to forget.
    pub(crate) fn served(&self, id: String) -> Option<String> {
        let mut inner = lock(&self.inner);
        inner.exchanged.push_back(id);
        if inner.exchanged.len() > MAX_EXCHANGED_LINKS {
            inner.exchanged.pop_front()
        } else {
            None
        }
    }
}

impl Inner {
    /// Forgets the older half of the sessions and unexchanged tokens when full.
    fn make_room(&mut self) {
        if self.sessions.len() + self.exchangeable.len() < MAX_SESSIONS {
            return;
        }
        let mut ages: Vec<u64> = (self.sessions.values().map(|s| s.opened))
            .chain(self.exchangeable.values().map(|(opened, _)| *opened))
            .collect();
        ages.sort_unstable();
        let cutoff = ages.get(ages.len() / 2).copied().unwrap_or(u64::MAX);
        self.sessions.retain(|_, session| session.opened >= cutoff);
        self.exchangeable.retain(|_, (opened, _)| *opened >= cutoff);
    }
}

/// The institution a session connects: its `institution_id`, else that of the first of its
/// `settings.countries`, else the US one.
fn institution(request: &CreateLinkSessionRequest) -> &str {
    let country = request
        .settings
        .as_ref()
        .and_then(|settings| settings.countries.as_ref())
        .and_then(|countries| countries.first())
        .map(|country| country.as_str());
    match (&request.institution_id, country) {
        (Some(id), _) => id.as_str(),
        (None, Some("CA")) => "maple_leaf_bank",
        (None, Some("GB")) => "thames_bank",
        (None, _) => DEFAULT_INSTITUTION,
    }
}

/// The link a completed session made, still `awaiting_token_exchange`.
fn new_link(
    institution: &str,
    webhook: &Option<Secret>,
    link_tags: &Option<Vec<String>>,
) -> Result<NewLink, LinkSessionError> {
    let template = SEED
        .links
        .iter()
        .find(|seeded| {
            seeded.link.institution_id == institution
                && seeded.link.state == PublicLinkState::Connected
        })
        .ok_or_else(|| LinkSessionError::UnknownInstitution {
            institution_id: institution.to_owned(),
        })?;
    let mut link = template.to_new_link();
    let common = &mut link.link;
    common.link_id = random_token("mk_");
    common.state = PublicLinkState::AwaitingTokenExchange;
    common.webhook = Some(webhook.clone());
    common.link_tags = Some(link_tags.clone());
    Ok(link)
}

#[derive(Deserialize)]
struct CompleteRequest {
    link_session_token: String,
}

/// [`COMPLETE_PATH`].
pub(crate) async fn complete_endpoint(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = state.authorize(&headers) {
        return refused;
    }
    let reply = |status: StatusCode, message: String| {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    };
    let Ok(request) = serde_json::from_slice::<CompleteRequest>(&body) else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be {\"link_session_token\": \"…\"}".to_owned(),
        );
    };
    match state.sessions.complete(&request.link_session_token) {
        Ok(completed) => (StatusCode::OK, axum::Json(Revealed(&completed))).into_response(),
        Err(error) => {
            let status = match error {
                LinkSessionError::UnknownSession => StatusCode::NOT_FOUND,
                LinkSessionError::AlreadyCompleted => StatusCode::CONFLICT,
                LinkSessionError::UnknownInstitution { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            };
            reply(status, error.to_string())
        }
    }
}

/// A token nobody can guess: `prefix` and 24 random letters and digits.
fn random_token(prefix: &str) -> String {
    let random: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(24)
        .collect();
    format!("{prefix}{random}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_exchanged_link_goes_once_there_are_too_many() {
        let sessions = LinkSessions::default();
        for n in 0..MAX_EXCHANGED_LINKS {
            assert_eq!(sessions.served(format!("mk_{n}")), None);
        }
        assert_eq!(
            sessions.served("mk_last".to_owned()).as_deref(),
            Some("mk_0")
        );
        assert_eq!(
            sessions.served("mk_later".to_owned()).as_deref(),
            Some("mk_1")
        );
    }
}
