//! `village` and `unit`.

use sotay_core::Lang;
use sotay_core::record::Village;
use sotay_core::record::village::VillageType;
use sotay_core::units::{Edition, catalogue};

use crate::args::{Cli, UnitCommand, VillageCommand};
use crate::error::CliError;
use crate::render;

fn village_type(code: &str) -> Result<VillageType, CliError> {
    VillageType::from_code(code).ok_or_else(|| {
        let all: Vec<&str> = VillageType::ALL.iter().map(|t| t.code()).collect();
        CliError::usage(
            format!("loại thôn phải là một trong: {}", all.join(", ")),
            format!("village type must be one of: {}", all.join(", ")),
        )
    })
}

pub fn village(cli: &Cli, c: &VillageCommand) -> Result<(), CliError> {
    let mut store = super::open(cli)?;
    match c {
        VillageCommand::Add { commune, name, village_type: t, households } => {
            let village = Village { name: name.clone(), village_type: village_type(t)?, households: *households };
            let id = store.add_village(commune, village)?;
            if cli.json {
                render::json(&serde_json::json!({ "id": id }));
            } else {
                say!("{}: {id}", if cli.lang == Lang::Vi { "Đã thêm thôn" } else { "Added village" });
            }
        }
        VillageCommand::List { commune } => {
            let rows = store.villages(commune.as_deref())?;
            if cli.json {
                render::json(&rows);
            } else {
                for v in rows.iter().filter(|v| !v.deleted) {
                    let t = VillageType::label_of(&v.village_type).map(|l| l.get(cli.lang)).unwrap_or(&v.village_type);
                    let hh = v
                        .households
                        .map(|h| format!(", {h} {}", if cli.lang == Lang::Vi { "hộ" } else { "households" }))
                        .unwrap_or_default();
                    say!("{}  {} ({t}{hh}) — {}", v.id, v.name, render::unit(&v.commune));
                }
            }
        }
        VillageCommand::Update { id, name, village_type: t, households } => {
            let current = store
                .villages(None)?
                .into_iter()
                .find(|v| &v.id == id)
                .ok_or_else(|| sotay_core::CoreError::NotFound { id: id.clone() })?;
            let village = Village {
                name: name.clone().unwrap_or(current.name),
                village_type: village_type(t.as_deref().unwrap_or(&current.village_type))?,
                households: households.or(current.households),
            };
            store.update_village(id, village)?;
            if !cli.json {
                say!("{}: {id}", if cli.lang == Lang::Vi { "Đã cập nhật thôn" } else { "Updated village" });
            }
        }
    }
    Ok(())
}

pub fn unit(cli: &Cli, c: &UnitCommand) -> Result<(), CliError> {
    match c {
        UnitCommand::Search { text, limit } => {
            let found = catalogue().search(text, *limit);
            if cli.json {
                render::json(&found);
            } else {
                for u in found {
                    let above: Vec<String> =
                        catalogue().lineage(&u.code).iter().skip(1).map(|p| p.name.clone()).collect();
                    say!("{}  {}  ({})", u.code, u.name, above.join(", "));
                }
            }
        }
        UnitCommand::Show { code } => {
            let lineage = catalogue().lineage(code);
            let former = catalogue().get_in(Edition::E2025_03, code).filter(|_| lineage.is_empty());
            if let Some(f) = former {
                // A unit of before 2025-07-01: what it was, and what it became part of.
                if cli.json {
                    render::json(&f);
                } else {
                    let (until, became) = match cli.lang {
                        Lang::Vi => ("đến 30/06/2025", "nay thuộc"),
                        Lang::En => ("until 2025-06-30", "now part of"),
                    };
                    say!("{}  {}  [{}, {until}]", f.code, f.name, f.level.label().get(cli.lang));
                    for s in &f.successors {
                        let name = catalogue().get(s).map(|u| u.name.clone()).unwrap_or_default();
                        say!("  {became} {s}  {name}");
                    }
                }
                return Ok(());
            }
            if lineage.is_empty() {
                return Err(sotay_core::CoreError::invalid(vec![sotay_core::FieldError::new(
                    "code",
                    sotay_core::Problem::UnknownUnit,
                )])
                .into());
            }
            if cli.json {
                render::json(&lineage);
            } else {
                for u in lineage {
                    say!("{}  {}  [{}]", u.code, u.name, u.level.label().get(cli.lang));
                }
            }
        }
    }
    Ok(())
}
