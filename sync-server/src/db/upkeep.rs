//! Work a migration leaves to Rust, done once when the database opens, in the migration's own
//! spirit (all or nothing): the SQL of a migration cannot read the unit catalogue.

use rusqlite::{Connection, params};
use sotay_core::units::{Edition, UnitLevel, catalogue};

use super::DbError;

const UNITS_2025_07: &str = "units-2025-07";

/// The prefix of a user's unit that no longer exists: it covers no document, so such a user
/// reaches nothing until given a unit in force (the code after it says which unit it was).
pub const FORMER_UNIT: &str = "2025-03:";

/// Runs the tasks migrations left pending.
pub fn run(conn: &mut Connection) -> Result<(), DbError> {
    let tasks: Vec<String> = {
        let mut stmt = conn.prepare("SELECT task FROM upkeep ORDER BY task")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for task in tasks {
        let tx = conn.transaction()?;
        if task == UNITS_2025_07 {
            units_2025_07(&tx)?;
        }
        tx.execute("DELETE FROM upkeep WHERE task = ?1", [&task])?;
        tx.commit()?;
    }
    // After the tasks, so that facts are filed where the records are now.
    let tx = conn.transaction()?;
    crate::report_facts::derive_missing(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Every document and user so far named units of 2025-03.
fn units_2025_07(tx: &Connection) -> Result<(), DbError> {
    let docs: Vec<(String, String, String)> = {
        let mut stmt = tx.prepare("SELECT doc_id, unit, commune FROM documents")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut update =
        tx.prepare("UPDATE documents SET unit = ?2, commune = ?3, district = NULL, province = ?4 WHERE doc_id = ?1")?;
    for (id, unit, commune) in docs {
        if let Some(f) = catalogue().file(Edition::E2025_03, &unit, &commune) {
            update.execute(params![id, f.unit, f.commune, f.province])?;
        }
    }
    let users: Vec<(String, String)> = {
        let mut stmt = tx.prepare("SELECT login, unit FROM users")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (login, unit) in users {
        let Some(former) = catalogue().get_in(Edition::E2025_03, &unit) else {
            continue; // A village's id: villages stay themselves.
        };
        let placed = catalogue().place(Edition::E2025_03, &unit).unwrap_or_default();
        let today = match former.level {
            UnitLevel::Commune => placed.commune,
            UnitLevel::Province => placed.province,
            UnitLevel::District => None,
        };
        let new_unit = match today {
            Some(u) => u,
            None => {
                tracing::warn!(
                    %login,
                    former = %former.name,
                    "đơn vị của người dùng không còn từ 01/07/2025, cần giao đơn vị mới (sotay-server user edit) / \
                     the user's unit ceased to exist on 2025-07-01: give them a unit in force (sotay-server user edit)"
                );
                format!("{FORMER_UNIT}{unit}")
            }
        };
        tx.execute("UPDATE users SET unit = ?2 WHERE login = ?1", params![login, new_unit])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_users_of_the_three_tiers_move_to_the_two() {
        let mut conn = Connection::open_in_memory().unwrap();
        sotay_core::store::migrations::migrate_with(&mut conn, &super::super::MIGRATIONS[..4]).unwrap();
        let village = "0190a1b2-0000-7000-8000-000000000001";
        conn.execute_batch(&format!(
            "INSERT INTO documents (doc_id, kind, snapshot, unit, commune, district, province) VALUES
                 ('rec', 'mediation', x'', '02233', '02233', '071', '08'),
                 ('vil', 'village', x'', '02233', '02233', '071', '08'),
                 ('in-vil', 'mediation', x'', '{village}', '02233', '071', '08'),
                 ('ha-giang', 'dialogue', x'', '02', '', NULL, '02');
             INSERT INTO users (login, display_name, role, unit, created_at) VALUES
                 ('xa', 'Cán bộ xã', 'commune-official', '02233', 0),
                 ('huyen', 'Chuyên viên huyện', 'reviewer', '071', 0),
                 ('tinh', 'Chuyên viên tỉnh', 'reviewer', '02', 0),
                 ('thon', 'Trưởng thôn', 'village-head', '{village}', 0);"
        ))
        .unwrap();
        sotay_core::store::migrations::migrate_with(&mut conn, super::super::MIGRATIONS).unwrap();
        run(&mut conn).unwrap();
        let filed = |id: &str| -> (String, String, Option<String>, Option<String>) {
            conn.query_row("SELECT unit, commune, district, province FROM documents WHERE doc_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap()
        };
        let lam_binh = ("02266".to_string(), "02266".to_string(), None, Some("08".to_string()));
        assert_eq!(filed("rec"), lam_binh);
        assert_eq!(filed("vil"), lam_binh);
        assert_eq!(filed("in-vil"), (village.to_string(), "02266".into(), None, Some("08".into())));
        assert_eq!(
            filed("ha-giang"),
            ("08".to_string(), String::new(), None, Some("08".to_string())),
            "Hà Giang is Tuyên Quang now"
        );
        let unit = |login: &str| -> String {
            conn.query_row("SELECT unit FROM users WHERE login = ?1", [login], |r| r.get(0)).unwrap()
        };
        assert_eq!(unit("xa"), "02266");
        assert_eq!(unit("tinh"), "08");
        assert_eq!(unit("thon"), village);
        assert_eq!(unit("huyen"), "2025-03:071", "a district reviewer reaches nothing until given a unit");
        let users = crate::accounts::users(&conn).unwrap();
        let huyen = users.iter().find(|u| u.login == "huyen").unwrap();
        assert!(matches!(huyen.unit_in_force(), Err(crate::accounts::AccountError::UnitNotInForce)));
        let scope =
            sotay_core::sync::scope::UserScope { login: "huyen".into(), role: huyen.role, unit: huyen.unit.clone() };
        let doc = sotay_core::sync::scope::DocScope {
            id: "rec".into(),
            kind: sotay_core::record::DocumentKind::Dialogue,
            unit: "02266".into(),
            commune: "02266".into(),
            district: None,
            province: Some("08".into()),
            handlers: Vec::new(),
        };
        assert!(!scope.may_pull(&doc));
        let unit = |code| crate::accounts::UserChange { unit: Some(code), ..Default::default() };
        // An administrator gives a unit in force; a former code is refused.
        assert!(crate::accounts::edit_user(&conn, "huyen", &unit("071")).is_err());
        let fixed = crate::accounts::edit_user(&conn, "huyen", &unit("08")).unwrap();
        assert!(fixed.unit_in_force().is_ok());
        // Done once.
        assert_eq!(conn.query_row("SELECT count(*) FROM upkeep", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
    }
}
