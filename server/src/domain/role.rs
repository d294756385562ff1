//! The viewer's role in a session.

/// Who opened the page, as Chaster says for the mainToken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Wearer,
    Keyholder,
}

impl Role {
    /// Chaster's spelling (`"wearer"`, `"keyholder"`); anything else is not a role we serve.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "wearer" => Some(Role::Wearer),
            "keyholder" => Some(Role::Keyholder),
            _ => None,
        }
    }
}

impl From<Role> for api_types::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Wearer => api_types::Role::Wearer,
            Role::Keyholder => api_types::Role::Keyholder,
        }
    }
}
