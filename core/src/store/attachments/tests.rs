//! Files attached to records: kept encrypted, referenced by hash, refused without a trace when
//! they are not files a record may carry.

use std::sync::Arc;

use super::*;
use crate::record::mediation::Party;
use crate::record::{Dialogue, MediationCase, RecordBody};
use crate::store::{NewProfile, Role, StoreKey};
use crate::time::FixedClock;

const KEY: StoreKey = StoreKey::Raw([9; 32]);
const COMMUNE: &str = "02266";

fn store(dir: &std::path::Path) -> Store {
    let profile = NewProfile {
        user_id: "hoa.giai".into(),
        display_name: "Tổ viên hòa giải".into(),
        role: Role::CommuneOfficial,
        unit: COMMUNE.into(),
    };
    Store::create(&dir.join("a.db"), &KEY, profile, Arc::new(FixedClock::at(1_790_823_600_000))).unwrap()
}

fn case(store: &mut Store) -> String {
    let body = MediationCase {
        title: "Tranh chấp lối đi chung giữa hai hộ ở thôn Khuôn Hẻ".into(),
        received_on: "2026-09-20".parse().ok(),
        parties: vec![Party { name: "Hoàng Văn Thào".into(), ..Default::default() }],
        ..Default::default()
    };
    store.create_record(COMMUNE, RecordBody::Mediation(body)).unwrap()
}

/// A small but real PNG (1×1), with a varied tail so that files differ.
fn png(tail: &str) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(format!("Biên bản hòa giải thành — {tail}").as_bytes());
    bytes
}

fn attachments_of(store: &Store, id: &str) -> Vec<AttachmentRef> {
    match store.record(id).unwrap().body {
        RecordBody::Mediation(m) => m.attachments,
        _ => panic!("a mediation case"),
    }
}

#[test]
fn a_file_is_kept_encrypted_and_referenced_by_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let id = case(&mut s);
    let data = png("trang 1");
    let reference = s.attach(&id, "Biên bản hòa giải thành.png", "image/png", &data).unwrap();
    assert_eq!(reference.sha256, sha256_hex(&data));
    assert_eq!(reference.size, data.len() as u64);
    assert!(!reference.id.is_empty(), "the store gives the item its identity");
    assert_eq!(attachments_of(&s, &id), vec![reference.clone()]);
    assert_eq!(s.attachment(&reference.sha256).unwrap(), Some(data.clone()));
    assert_eq!(s.attachments_to_send().unwrap(), vec![(reference.sha256.clone(), "image/png".to_string())]);
    assert_eq!(s.attachments_pending().unwrap(), 1);
    assert!(s.attachments_to_fetch().unwrap().is_empty(), "this phone has its own file");
    s.mark_attachment_sent(&reference.sha256).unwrap();
    assert_eq!(s.attachments_pending().unwrap(), 0);
    drop(s);
    // On disk the file is as unreadable as the records.
    let raw = std::fs::read(dir.path().join("a.db")).unwrap();
    assert!(!raw.windows(12).any(|w| w == &data[8..20]), "the file's bytes are not in the clear");
}

#[test]
fn a_file_that_is_refused_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let id = case(&mut s);
    let dialogue = s
        .create_record(
            COMMUNE,
            RecordBody::Dialogue(Dialogue {
                title: "Đối thoại".into(),
                held_on: "2026-10-03".parse().ok(),
                ..Default::default()
            }),
        )
        .unwrap();
    let too_big = vec![7u8; (MAX_ATTACHMENT_BYTES + 1) as usize];
    let refusals = [
        s.attach(&id, "a.exe", "application/x-msdownload", &png("x")).unwrap_err(),
        s.attach(&id, "rỗng.png", "image/png", &[]).unwrap_err(),
        s.attach(&id, "ảnh.jpg", "image/jpeg", &png("không phải JPEG")).unwrap_err(),
        s.attach(&id, "", "image/png", &png("y")).unwrap_err(),
        s.attach(&id, "to.png", "image/png", &too_big).unwrap_err(),
        s.attach(&dialogue, "a.png", "image/png", &png("z")).unwrap_err(),
        s.attach("01a00000-0000-7000-8000-000000000000", "a.png", "image/png", &png("w")).unwrap_err(),
    ];
    assert!(matches!(refusals[0], CoreError::InvalidInput(_)), "{}", refusals[0]);
    assert!(matches!(refusals[6], CoreError::NotFound { .. }), "{}", refusals[6]);
    assert!(attachments_of(&s, &id).is_empty());
    assert_eq!(s.attachments_pending().unwrap(), 0, "no bytes kept for a refused file");
    // A reference the core did not make (a forged hash, a type it does not take) is refused too.
    let mut forged = match s.record(&id).unwrap().body {
        RecordBody::Mediation(m) => m,
        _ => unreachable!(),
    };
    forged.attachments.push(AttachmentRef {
        name: "x".into(),
        media_type: "text/html".into(),
        sha256: "zz".into(),
        size: 1,
        ..Default::default()
    });
    let e = s.update_record(&id, RecordBody::Mediation(forged)).unwrap_err();
    let CoreError::InvalidInput(errors) = e else { panic!("{e}") };
    let paths: Vec<&str> = errors.0.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["attachments.0.media_type", "attachments.0.sha256"]);
}

#[test]
fn a_fetched_file_is_kept_only_if_it_is_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let data = png("trang 2");
    let reference = AttachmentRef {
        name: "Biên bản.png".into(),
        media_type: "image/png".into(),
        sha256: sha256_hex(&data),
        size: data.len() as u64,
        ..Default::default()
    };
    assert!(!s.store_fetched_attachment(&reference, b"something else").unwrap());
    assert_eq!(s.attachment(&reference.sha256).unwrap(), None);
    assert!(s.store_fetched_attachment(&reference, &data).unwrap());
    assert_eq!(s.attachment(&reference.sha256).unwrap(), Some(data));
    assert_eq!(s.attachments_pending().unwrap(), 0, "another phone's file is not sent back");
}

#[test]
fn a_refused_or_forgotten_file_is_not_sent_on_every_sync() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let id = case(&mut s);
    let kept = s.attach(&id, "Biên bản.png", "image/png", &png("giữ")).unwrap();
    let dropped = s.attach(&id, "Ảnh chụp nhầm.png", "image/png", &png("bỏ")).unwrap();
    assert_eq!(s.attach(&id, "Biên bản (2).png", "image/png", &png("giữ")).unwrap(), kept, "the same file is one file");
    // The second reference is edited away before any sync: its bytes are forgotten.
    let RecordBody::Mediation(mut m) = s.record(&id).unwrap().body else { unreachable!() };
    m.attachments.retain(|a| a.sha256 != dropped.sha256);
    s.update_record(&id, RecordBody::Mediation(m)).unwrap();
    assert_eq!(s.forget_unreferenced_attachments().unwrap(), 1);
    assert_eq!(s.attachment(&dropped.sha256).unwrap(), None);
    // The server refuses the first: it waits no more.
    s.mark_attachment_refused(&kept.sha256).unwrap();
    assert!(s.attachments_to_send().unwrap().is_empty());
    assert_eq!(s.attachments_pending().unwrap(), 0);
    assert!(s.attachment(&kept.sha256).unwrap().is_some(), "still readable on the phone");
    // Attached to another case, it is sent again (through that case).
    let other = case(&mut s);
    s.attach(&other, "Biên bản.png", "image/png", &png("giữ")).unwrap();
    assert_eq!(s.attachments_pending().unwrap(), 1);
}
