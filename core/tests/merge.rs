//! Several replicas make random edits offline, exchange changes in random orders, and end with
//! identical documents, identical indexes and identical conflict lists.

use std::sync::Arc;

use proptest::prelude::*;
use sotay_core::record::RecordKind;
use sotay_core::record::input::Assignment;
use sotay_core::sample::Sampler;
use sotay_core::store::{NewProfile, RecordFilter, Role, Store, StoreKey};
use sotay_core::time::FixedClock;

const REPLICAS: usize = 3;
const COMMUNE: &str = "02266";

#[derive(Debug, Clone)]
enum Op {
    Create { replica: usize, meeting: bool, seed: u64 },
    Edit { replica: usize, doc: usize, edit: usize, value: u32 },
    Delete { replica: usize, doc: usize },
    Sync { from: usize, to: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..REPLICAS, any::<bool>(), any::<u64>()).prop_map(|(replica, meeting, seed)| Op::Create { replica, meeting, seed }),
        6 => (0..REPLICAS, 0..8usize, 0..EDITS, 0..40u32).prop_map(|(replica, doc, edit, value)| Op::Edit { replica, doc, edit, value }),
        1 => (0..REPLICAS, 0..8usize).prop_map(|(replica, doc)| Op::Delete { replica, doc }),
        3 => (0..REPLICAS, 0..REPLICAS).prop_map(|(from, to)| Op::Sync { from, to }),
    ]
}

const EDITS: usize = 8;

/// The edit `edit` with value `v`, for a mediation or a village meeting (valid whatever was
/// there before, so that most edits apply).
fn assignments(meeting: bool, edit: usize, v: u32) -> Vec<Assignment> {
    let words = ["Nà Mè", "Khuổi Ún", "Pác Vài", "Phiêng Luông", "Nặm Đồn"];
    let w = words[v as usize % words.len()];
    let a = |s: String| s.parse::<Assignment>().unwrap();
    if meeting {
        match edit {
            0 => vec![a(format!("agenda.0.votes_for={v}"))],
            1 => vec![a(format!("agenda.0.votes_against={}", v % 30))],
            2 => vec![a(format!("title=Hội nghị thôn {w}"))],
            3 => vec![a(format!("place=Nhà văn hóa thôn {w}"))],
            4 => vec![a(format!("households_represented={}", 120 + v))],
            5 => vec![a(format!("agenda.0.title=Đóng góp làm đường thôn {w}"))],
            6 => vec![a(format!("chair=Trưởng thôn {w}"))],
            _ => vec![a(format!("status={}", ["planned", "held", "cancelled"][v as usize % 3]))],
        }
    } else {
        match edit {
            0 => vec![a(format!("outcome={}", ["in_progress", "failure", "withdrawn"][v as usize % 3]))],
            1 => vec![a("outcome=success".into()), a(format!("agreement_terms=Thỏa thuận {w}"))],
            2 => vec![a(format!("title=Tranh chấp đất ở thôn {w}"))],
            3 => vec![a(format!("team=Tổ hòa giải thôn {w}"))],
            4 => vec![a(format!("category={}", ["land", "neighbours", "inheritance", "debt_civil"][v as usize % 4]))],
            5 => vec![a(format!("parties.0.name=Hoàng Văn {w}"))],
            6 => vec![a(format!("sessions.0.notes=Buổi hòa giải tại thôn {w}"))],
            _ => vec![a(format!("eligibility.checked={}", v % 2 == 0))],
        }
    }
}

/// A sample record whose votes leave room for the edits above.
fn sample_body(sampler: &mut Sampler, meeting: bool) -> sotay_core::record::RecordBody {
    use sotay_core::record::RecordBody;
    let kind = if meeting { RecordKind::VillageMeeting } else { RecordKind::Mediation };
    let mut body = sampler.body(kind);
    match &mut body {
        RecordBody::VillageMeeting(m) => {
            m.total_households = Some(400);
            m.households_represented = Some(160);
            for item in &mut m.agenda {
                (item.votes_for, item.votes_against, item.votes_abstain) = (Some(10), Some(10), Some(10));
                item.ballot_rounds.clear();
            }
        }
        RecordBody::Mediation(m) => m.sessions.truncate(1),
        _ => {}
    }
    body
}

struct Replica {
    store: Store,
    _clock: FixedClock,
}

fn replicas(dir: &std::path::Path) -> Vec<Replica> {
    (0..REPLICAS)
        .map(|i| {
            let clock = FixedClock::at(1_790_823_600_000 + i as i64);
            let store = Store::create(
                &dir.join(format!("r{i}.db")),
                &StoreKey::Raw([i as u8 + 1; 32]),
                NewProfile {
                    user_id: format!("can.bo.{i}"),
                    display_name: format!("Cán bộ {i}"),
                    role: Role::CommuneOfficial,
                    unit: COMMUNE.into(),
                },
                Arc::new(clock.clone()),
            )
            .unwrap();
            Replica { store, _clock: clock }
        })
        .collect()
}

fn sync(replicas: &mut [Replica], from: usize, to: usize) {
    if from == to {
        return;
    }
    let ids = replicas[from].store.document_ids().unwrap();
    for id in ids {
        let heads = replicas[to].store.heads(&id).unwrap();
        // Only what the receiver lacks, as a sync would send; fall back to everything when the
        // receiver's heads are unknown to the sender (concurrent changes).
        let bytes = replicas[from].store.changes_after(&id, &heads).unwrap();
        replicas[to].store.apply_changes(&id, &bytes).unwrap();
    }
}

/// Everything a replica shows, to compare replicas by.
fn state(store: &Store) -> String {
    let mut out = format!("{:#?}\n{:#?}\n", store.index_rows().unwrap(), store.conflicts().unwrap());
    for id in store.document_ids().unwrap() {
        if let Ok(view) = store.record(&id) {
            out.push_str(&format!("{:#?}\n", (view.body, view.deleted, view.heads, view.conflicts)));
        }
    }
    let all = RecordFilter { include_deleted: true, limit: 1000, ..Default::default() };
    out.push_str(&format!("{:#?}", store.search("thon", &all).unwrap()));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut reps = replicas(dir.path());
        let mut sampler = Sampler::new(7);
        // Two shared records to start from, on every replica.
        let mut docs: Vec<(String, bool)> = Vec::new();
        for meeting in [false, true] {
            let body = sample_body(&mut sampler, meeting);
            docs.push((reps[0].store.create_record(COMMUNE, body).unwrap(), meeting));
        }
        for to in 1..REPLICAS {
            sync(&mut reps, 0, to);
        }
        for op in ops {
            match op {
                Op::Create { replica, meeting, seed } => {
                    let body = sample_body(&mut Sampler::new(seed), meeting);
                    docs.push((reps[replica].store.create_record(COMMUNE, body).unwrap(), meeting));
                }
                Op::Edit { replica, doc, edit, value } => {
                    let (id, meeting) = &docs[doc % docs.len()];
                    // A replica that has not received a record yet cannot edit it.
                    if reps[replica].store.heads(id).unwrap().is_empty() {
                        continue;
                    }
                    // Some edits are refused by validation (a vote count above the households
                    // represented after a concurrent change, say); refusal changes nothing.
                    let _ = reps[replica].store.edit_record(id, &assignments(*meeting, edit, value));
                }
                Op::Delete { replica, doc } => {
                    let (id, _) = &docs[doc % docs.len()];
                    if !reps[replica].store.heads(id).unwrap().is_empty() {
                        let _ = reps[replica].store.delete_record(id, "Nhập nhầm");
                    }
                }
                Op::Sync { from, to } => sync(&mut reps, from, to),
            }
        }
        // Everyone talks to everyone until nothing new moves.
        for _ in 0..2 {
            for from in 0..REPLICAS {
                for to in 0..REPLICAS {
                    sync(&mut reps, from, to);
                }
            }
        }
        let first = state(&reps[0].store);
        for r in &reps[1..] {
            prop_assert_eq!(&first, &state(&r.store));
        }
        // Each replica's index is what a rebuild from its documents gives.
        let live = reps[0].store.index_rows().unwrap();
        reps[0].store.rebuild_index().unwrap();
        prop_assert_eq!(live, reps[0].store.index_rows().unwrap());
    }
}
