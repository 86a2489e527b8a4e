//! The editorial workflow: draft → pending (the author submits) →
//! published (an editor approves, now or at a set time) → unpublished; an
//! editor can return a pending article to its author with a comment.
//! One function says who may do what to which article.

use crate::accounts::Role;
use crate::content::article::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Change the content.
    Edit,
    /// Draft → pending.
    Submit,
    /// → published (now, or scheduled).
    Publish,
    /// Pending → draft, with a comment for the author.
    Return,
    /// Published → unpublished.
    Unpublish,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "luu" => Action::Edit,
            "gui-duyet" => Action::Submit,
            "xuat-ban" => Action::Publish,
            "tra-lai" => Action::Return,
            "go-bai" => Action::Unpublish,
            _ => return None,
        })
    }

    /// The status after the action (editing keeps it).
    pub fn target(self, from: Status) -> Status {
        match self {
            Action::Edit => from,
            Action::Submit => Status::Pending,
            Action::Publish => Status::Published,
            Action::Return => Status::Draft,
            Action::Unpublish => Status::Unpublished,
        }
    }

    pub fn audit_code(self) -> &'static str {
        match self {
            Action::Edit => "article_save",
            Action::Submit => "article_submit",
            Action::Publish => "article_publish",
            Action::Return => "article_return",
            Action::Unpublish => "article_unpublish",
        }
    }
}

/// Whether `role` (the article's author or not) may do `action` to an
/// article in `status`.
pub fn allowed(role: Role, is_author: bool, status: Status, action: Action) -> bool {
    use Action::*;
    use Status::*;
    if role.can_review() {
        return match action {
            Edit => true,
            Submit => status == Draft,
            Publish => true, // also re-times a published article
            Return => status == Pending,
            Unpublish => status == Published,
        };
    }
    // Authors: their own drafts only.
    is_author && status == Draft && matches!(action, Edit | Submit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    #[test]
    fn authors_write_and_submit_their_own_drafts_only() {
        assert!(allowed(Role::Author, true, Draft, Edit));
        assert!(allowed(Role::Author, true, Draft, Submit));
        assert!(
            !allowed(Role::Author, false, Draft, Edit),
            "someone else's draft"
        );
        assert!(
            !allowed(Role::Author, true, Pending, Edit),
            "frozen while in review"
        );
        assert!(!allowed(Role::Author, true, Draft, Publish));
        assert!(!allowed(Role::Author, true, Published, Unpublish));
        assert!(!allowed(Role::Author, true, Pending, Return));
    }

    #[test]
    fn editors_and_admins_review() {
        for role in [Role::Editor, Role::Admin] {
            assert!(allowed(role, false, Pending, Publish));
            assert!(allowed(role, false, Pending, Return));
            assert!(allowed(role, false, Published, Unpublish));
            assert!(allowed(role, false, Unpublished, Publish));
            assert!(allowed(role, false, Published, Edit));
            assert!(!allowed(role, false, Draft, Return));
            assert!(!allowed(role, false, Draft, Unpublish));
        }
    }

    #[test]
    fn targets() {
        assert_eq!(Submit.target(Draft), Pending);
        assert_eq!(Return.target(Pending), Draft);
        assert_eq!(Edit.target(Published), Published);
    }
}
