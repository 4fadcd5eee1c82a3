//! The signed link of a person's email preferences: `<user id>.<HMAC>`, derived from the
//! link key, never stored, valid for as long as the account. Altering any character of it
//! is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use uuid::Uuid;

use crate::keys::{tag_matches, LinkKey};

const PURPOSE: &str = "email-preferences";

/// The token of `user`'s preferences and unsubscribe links.
pub fn token(key: &LinkKey, user: Uuid) -> String {
    format!(
        "{}.{}",
        user.simple(),
        URL_SAFE_NO_PAD.encode(key.derive(PURPOSE, user, 1))
    )
}

/// The person a token was made for, if it is one of ours, unaltered.
pub fn person(key: &LinkKey, token: &str) -> Option<Uuid> {
    let (id, tag) = token.split_once('.')?;
    let user = Uuid::try_parse(id).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    tag_matches(&tag, &key.derive(PURPOSE, user, 1)).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_person_and_nobody_else() {
        let key = LinkKey::from_secret("secret");
        let user = Uuid::new_v4();
        let token = token(&key, user);
        assert_eq!(person(&key, &token), Some(user));
        let other = Uuid::new_v4();
        let forged = format!("{}.{}", other.simple(), token.split_once('.').unwrap().1);
        assert_eq!(person(&key, &forged), None);
        let mut altered = token.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(person(&key, &altered), None);
        assert_eq!(person(&LinkKey::from_secret("other"), &token), None);
        assert_eq!(person(&key, "nonsense"), None);
    }
}
