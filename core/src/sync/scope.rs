//! Who may send and receive which documents: the rules the server enforces on every push and
//! pull, kept in the core so that devices and server read them the same way.

use serde::Serialize;

use crate::record::DocumentKind;
use crate::store::Role;

/// Where a document sits and who handles it, as the server files it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocScope {
    pub id: String,
    pub kind: DocumentKind,
    pub unit: String,
    pub commune: String,
    pub district: Option<String>,
    pub province: Option<String>,
    /// For a petition and its denouncer's identity: the logins assigned to handle it.
    pub handlers: Vec<String>,
}

/// A user's reach: role, unit and login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserScope {
    pub login: String,
    pub role: Role,
    /// A village id, or a commune, district or province code.
    pub unit: String,
}

/// Kinds that carry no personal details, which reviewers above the commune may receive.
fn without_personal_details(kind: DocumentKind) -> bool {
    use DocumentKind::*;
    matches!(kind, Dialogue | VillageMeeting | Consultation | FrontSession | Supervision | Model | Village)
}

impl UserScope {
    /// Whether the document lies within the user's unit.
    pub fn covers(&self, d: &DocScope) -> bool {
        let u = self.unit.as_str();
        d.unit == u
            || d.commune == u
            || d.district.as_deref() == Some(u)
            || d.province.as_deref() == Some(u)
            // A village user receives the village itself.
            || (d.kind == DocumentKind::Village && d.id == u)
    }

    fn kind_allowed(&self, kind: DocumentKind, pushing: bool) -> bool {
        use DocumentKind::*;
        match self.role {
            Role::Mediator => kind == Mediation || (!pushing && kind == Village),
            Role::VillageHead => matches!(kind, VillageMeeting | Dialogue) || (!pushing && kind == Village),
            Role::CommuneOfficial | Role::CommuneLeader => true,
            Role::Reviewer => !pushing && without_personal_details(kind),
            Role::Administrator => false,
        }
    }

    /// May the user send changes to this document?
    pub fn may_push(&self, d: &DocScope) -> bool {
        self.kind_allowed(d.kind, true) && self.covers(d)
    }

    /// May the user receive this document? A denouncer's identity goes only to its handlers.
    pub fn may_pull(&self, d: &DocScope) -> bool {
        if d.kind == DocumentKind::DenouncerIdentity {
            return d.handlers.iter().any(|h| h == &self.login) && self.kind_allowed(d.kind, false) && self.covers(d);
        }
        self.kind_allowed(d.kind, false) && self.covers(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: DocumentKind, unit: &str) -> DocScope {
        DocScope {
            id: "x".into(),
            kind,
            unit: unit.into(),
            commune: "02266".into(),
            district: None,
            province: Some("08".into()),
            handlers: vec!["can.bo.a".into()],
        }
    }

    fn user(role: Role, unit: &str) -> UserScope {
        UserScope { login: "can.bo.a".into(), role, unit: unit.into() }
    }

    #[test]
    fn roles_reach_their_kinds_in_their_units() {
        let village = "v-na-me";
        let in_village = doc(DocumentKind::Mediation, village);
        assert!(user(Role::Mediator, village).may_push(&in_village));
        assert!(!user(Role::Mediator, "v-other").may_pull(&in_village));
        assert!(!user(Role::Mediator, village).may_push(&doc(DocumentKind::Petition, village)));
        assert!(user(Role::VillageHead, village).may_push(&doc(DocumentKind::VillageMeeting, village)));
        assert!(!user(Role::VillageHead, village).may_pull(&in_village));
        assert!(user(Role::CommuneOfficial, "02266").may_push(&in_village));
        assert!(!user(Role::CommuneOfficial, "02269").may_pull(&in_village));
        assert!(user(Role::Reviewer, "08").may_pull(&doc(DocumentKind::Dialogue, "02266")));
        assert!(!user(Role::Reviewer, "08").may_pull(&in_village), "no personal details above the commune");
        assert!(!user(Role::Reviewer, "08").may_push(&doc(DocumentKind::Dialogue, "02266")));
        assert!(!user(Role::Administrator, "08").may_pull(&doc(DocumentKind::Dialogue, "02266")));
    }

    #[test]
    fn a_denouncers_identity_reaches_only_its_handlers() {
        let identity = doc(DocumentKind::DenouncerIdentity, "02266");
        assert!(user(Role::CommuneOfficial, "02266").may_pull(&identity));
        let other = UserScope { login: "can.bo.b".into(), role: Role::CommuneLeader, unit: "02266".into() };
        assert!(!other.may_pull(&identity));
        assert!(other.may_push(&identity), "whoever records the denunciation sends the identity up");
    }
}
