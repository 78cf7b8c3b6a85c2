//! This device's profile: who uses it, in which role, for which unit.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::coded_enum;
use crate::error::Result;
use crate::time::Millis;

coded_enum! {
    /// What a user may see and do; the server enforces it on every sync.
    pub enum Role {
        Mediator = "mediator" => ("Hòa giải viên", "Mediator"),
        VillageHead = "village-head" => ("Trưởng thôn", "Village head"),
        #[default]
        CommuneOfficial = "commune-official" => ("Công chức xã", "Commune official"),
        CommuneLeader = "commune-leader" => ("Lãnh đạo xã", "Commune leader"),
        Reviewer = "reviewer" => ("Cán bộ theo dõi cấp trên", "Reviewer above the commune"),
        Administrator = "administrator" => ("Quản trị hệ thống", "Administrator"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// The login name, written into every change as its author.
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    /// The unit the user works for: a GSO code or a village id.
    pub unit: String,
    pub device_id: String,
    pub created_at: Millis,
}

pub(crate) fn load(conn: &Connection) -> Result<Option<Profile>> {
    Ok(conn
        .query_row(
            "SELECT user_id, display_name, role, unit, device_id, created_at FROM profile WHERE id = 1",
            [],
            |r| {
                let role: String = r.get(2)?;
                Ok(Profile {
                    user_id: r.get(0)?,
                    display_name: r.get(1)?,
                    role: Role::from_code(&role).unwrap_or_default(),
                    unit: r.get(3)?,
                    device_id: r.get(4)?,
                    created_at: r.get(5)?,
                })
            },
        )
        .optional()?)
}

pub(crate) fn save(conn: &Connection, p: &Profile) -> Result<()> {
    conn.execute(
        "INSERT INTO profile (id, user_id, display_name, role, unit, device_id, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET user_id = ?1, display_name = ?2, role = ?3, unit = ?4, device_id = ?5",
        params![p.user_id, p.display_name, p.role.code(), p.unit, p.device_id, p.created_at],
    )?;
    Ok(())
}
