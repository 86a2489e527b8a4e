//! Roles and what each may do. Every admin handler asks here, on the server.

use crate::text_column;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Users, categories, settings, everything.
    Admin,
    /// Ban biên tập: review, publish, unpublish, edit any article.
    Editor,
    /// Writes and edits own drafts, submits them for review.
    Author,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Author];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Author => "author",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Vietnamese name shown in the admin pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị",
            Role::Editor => "Biên tập viên",
            Role::Author => "Tác giả",
        }
    }

    /// Review, publish, unpublish and edit any article.
    pub fn can_review(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }

    /// Users, categories, site settings, the audit log.
    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

text_column!(Role);
