//! Account input parsed into types at the edge, and the user as the UI sees it.

use serde::{Deserialize, Serialize};

use crate::Invalid;

const MAX_EMAIL_LEN: usize = 254;
const MAX_NAME_LEN: usize = 100;
const MIN_PASSWORD_LEN: usize = 8;
/// Argon2 happily hashes megabytes; refuse absurd inputs before hashing them.
pub const MAX_PASSWORD_LEN: usize = 128;

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim().to_lowercase();
        let invalid = || Invalid::new("Enter a valid email address.");
        if email.is_empty() {
            return Err(Invalid::new("Email is required."));
        }
        if email.len() > MAX_EMAIL_LEN || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"', '@']);
        if !domain_ok || !local_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Invalid::new("Name is required."));
        }
        if name.chars().count() > MAX_NAME_LEN {
            return Err(Invalid::new(format!(
                "Name must be at most {MAX_NAME_LEN} characters."
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::new("Name contains invalid characters."));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the rules: at least 8 characters with an upper case letter, a
/// lower case letter and a digit.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let len = input.chars().count();
        if len < MIN_PASSWORD_LEN {
            return Err(Invalid::new(format!(
                "Password must be at least {MIN_PASSWORD_LEN} characters."
            )));
        }
        if len > MAX_PASSWORD_LEN {
            return Err(Invalid::new(format!(
                "Password must be at most {MAX_PASSWORD_LEN} characters."
            )));
        }
        let has_upper = input.chars().any(char::is_uppercase);
        let has_lower = input.chars().any(char::is_lowercase);
        let has_digit = input.chars().any(|c| c.is_ascii_digit());
        if !(has_upper && has_lower && has_digit) {
            return Err(Invalid::new(
                "Password must contain an upper case letter, a lower case letter and a digit.",
            ));
        }
        Ok(Self(input.to_string()))
    }

    /// Parses the password and checks that the confirmation matches it.
    pub fn parse_confirmed(password: &str, confirmation: &str) -> Result<Self, Invalid> {
        let password = Self::parse(password)?;
        if password.0 != confirmation {
            return Err(Invalid::new("Passwords do not match."));
        }
        Ok(password)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// The fields of registration and first-run setup, parsed.
#[derive(Debug)]
pub struct NewAccount {
    pub name: PersonName,
    pub email: Email,
    pub password: NewPassword,
}

impl NewAccount {
    pub fn parse(
        name: &str,
        email: &str,
        password: &str,
        confirm_password: &str,
    ) -> Result<Self, Invalid> {
        Ok(Self {
            name: PersonName::parse(name)?,
            email: Email::parse(email)?,
            password: NewPassword::parse_confirmed(password, confirm_password)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Customer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Customer => "customer",
        }
    }

    pub fn from_db(value: &str) -> Option<Self> {
        match value {
            "owner" => Some(Role::Owner),
            "customer" => Some(Role::Customer),
            _ => None,
        }
    }

    /// Where a user of this role lands after logging in.
    pub fn home_path(self) -> &'static str {
        match self {
            Role::Owner => crate::paths::ADMIN,
            Role::Customer => crate::paths::LIBRARY,
        }
    }
}

/// The signed-in user as pages see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
}

impl UserView {
    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }
}

/// A `?redirect=` target is honoured only when it is a path on this site.
pub fn safe_redirect(target: Option<&str>) -> Option<String> {
    let target = target?.trim();
    let is_local = target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control() || c == '\\');
    is_local.then(|| target.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@exa mple.com",
            "<script>@x.com",
            "ada@@example.com",
            "ada@.example.com",
            "ada@example..com",
            "' OR 1=1 --@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(10_000))).is_err());
    }

    #[test]
    fn password_rules() {
        assert!(NewPassword::parse("Secret12").is_ok());
        assert!(NewPassword::parse("Secre12").is_err(), "too short");
        assert!(NewPassword::parse("secret12").is_err(), "no upper case");
        assert!(NewPassword::parse("SECRET12").is_err(), "no lower case");
        assert!(NewPassword::parse("SecretSecret").is_err(), "no digit");
        assert!(NewPassword::parse(&"Aa1".repeat(1000)).is_err(), "too long");
        assert!(NewPassword::parse_confirmed("Secret12", "Secret13").is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("Secret12").unwrap()),
            "NewPassword(***)"
        );
    }

    #[test]
    fn names_are_bounded() {
        assert!(PersonName::parse("  ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert_eq!(PersonName::parse(" Ada ").unwrap().as_str(), "Ada");
    }

    #[test]
    fn only_local_redirects_are_kept() {
        assert_eq!(
            safe_redirect(Some("/library?x=1")).as_deref(),
            Some("/library?x=1")
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_redirect(Some(bad)), None, "{bad:?}");
        }
    }
}
