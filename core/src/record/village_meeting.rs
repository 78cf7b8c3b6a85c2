//! Hội nghị thôn: a village meeting under the Law on Grassroots Democracy 2022, where
//! households decide directly the matters of its Art. 15; a matter passes when more than half
//! of all households of the village agree, counting follow-up household ballots.

use serde::{Deserialize, Serialize};

use super::common::{check_order, require_date, require_text};
use super::{Flag, FlagCode, KindRules};
use crate::coded_enum;
use crate::error::FieldError;
use crate::time::CivilDate;

/// Notice must reach households at least this many days before the meeting.
pub const NOTICE_DAYS: i64 = 5;

coded_enum! {
    /// The six matters the people of a village decide directly.
    pub enum DirectDecisionMatter {
        PublicWorksContribution = "public_works_contribution" => ("Chủ trương và mức đóng góp xây dựng công trình công cộng", "Public works and contributions to them"),
        VillageHeadElection = "village_head_election" => ("Bầu, cho thôi làm Trưởng thôn, Tổ trưởng tổ dân phố", "Electing or dismissing the village head"),
        BoardElection = "board_election" => ("Bầu, bãi nhiệm thành viên Ban Thanh tra nhân dân, Ban Giám sát đầu tư của cộng đồng", "Electing or dismissing members of the inspection and supervision boards"),
        VillageConvention = "village_convention" => ("Nội dung hương ước, quy ước", "The village convention (hương ước, quy ước)"),
        SelfManagementGroup = "self_management_group" => ("Thành lập, giải thể tổ chức tự quản", "Setting up or dissolving self-management groups"),
        OtherCommunityMatter = "other_community_matter" => ("Công việc tự quản khác trong cộng đồng dân cư", "Other self-governed community matters"),
        /// Nobody chose one: shown as such, never as the first value.
        #[default]
        NotEntered = "not_entered" => ("Chưa nhập", "Not entered"),
    }
}

coded_enum! {
    pub enum VotingMethod {
        #[default]
        ShowOfHands = "show_of_hands" => ("Biểu quyết giơ tay", "Show of hands"),
        SecretBallot = "secret_ballot" => ("Bỏ phiếu kín", "Secret ballot"),
    }
}

coded_enum! {
    pub enum MeetingStatus {
        #[default]
        Planned = "planned" => ("Dự kiến", "Planned"),
        Held = "held" => ("Đã tổ chức", "Held"),
        Cancelled = "cancelled" => ("Đã hủy", "Cancelled"),
    }
}

/// A round of ballots handed to households that were not at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BallotRound {
    pub id: String,
    pub held_on: Option<CivilDate>,
    pub households_for: u32,
    pub households_against: u32,
    pub households_abstain: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    pub matter: DirectDecisionMatter,
    pub voting_method: VotingMethod,
    /// Votes at the meeting: `None` where nobody entered them (chưa nhập), which decides nothing.
    pub votes_for: Option<u32>,
    pub votes_against: Option<u32>,
    pub votes_abstain: Option<u32>,
    pub ballot_rounds: Vec<BallotRound>,
}

coded_enum! {
    /// What an agenda item's votes decide: under the Law on Grassroots Democracy 2022 a matter of
    /// its Art. 15 is decided when more than half of all the village's households agree, at the
    /// meeting or by household ballots after it.
    pub enum ItemOutcome {
        #[default]
        Passed = "passed" => ("Thông qua, có giá trị với cả thôn", "Passed, binding on the whole village"),
        NeedsBallots = "needs_ballots" => ("Đa số hộ dự họp tán thành nhưng chưa quá nửa tổng số hộ của thôn: cần phát phiếu lấy ý kiến hộ gia đình", "Agreed by most households present but not by more than half of the village's: household ballots needed"),
        NotAgreed = "not_agreed" => ("Không được đa số hộ dự họp tán thành", "Not agreed by most households present"),
        NotPassed = "not_passed" => ("Không được thông qua: kể cả phiếu lấy ý kiến, chưa quá nửa tổng số hộ của thôn tán thành", "Not passed: with the household ballots, still not more than half of the village's households agreed"),
        /// The votes, or the households of the village or at the meeting, were not entered.
        NotEntered = "not_entered" => ("Chưa nhập đủ số phiếu hoặc số hộ: chưa xác định được kết quả", "Votes or households not entered: no result yet"),
    }
}

/// How an agenda item stands, computed from the votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    /// More than half of the households represented at the meeting agreed.
    pub passed_among_present: bool,
    /// More than half of all households of the village agreed, ballots included: the decision.
    pub passed: bool,
    pub households_for: u32,
    pub outcome: ItemOutcome,
    /// Households in favour at the meeting, of those represented.
    pub votes_for: u32,
    pub represented: u32,
    pub total_households: u32,
}

impl AgendaItem {
    pub fn result(&self, represented: Option<u32>, total_households: Option<u32>) -> ItemResult {
        let ballots_for = self.ballot_rounds.iter().fold(0u32, |sum, b| sum.saturating_add(b.households_for));
        let (Some(votes_for), Some(represented), Some(total)) = (self.votes_for, represented, total_households) else {
            // What nobody entered decides nothing, for or against.
            return ItemResult {
                passed_among_present: false,
                passed: false,
                households_for: self.votes_for.unwrap_or(0).saturating_add(ballots_for),
                outcome: ItemOutcome::NotEntered,
                votes_for: self.votes_for.unwrap_or(0),
                represented: represented.unwrap_or(0),
                total_households: total_households.unwrap_or(0),
            };
        };
        let households_for = votes_for.saturating_add(ballots_for);
        let passed_among_present = u64::from(votes_for) * 2 > u64::from(represented);
        let passed = total > 0 && u64::from(households_for) * 2 > u64::from(total);
        let outcome = match (passed, passed_among_present, self.ballot_rounds.is_empty()) {
            (true, _, _) => ItemOutcome::Passed,
            (false, _, false) => ItemOutcome::NotPassed,
            (false, true, true) => ItemOutcome::NeedsBallots,
            (false, false, true) => ItemOutcome::NotAgreed,
        };
        ItemResult {
            passed_among_present,
            passed,
            households_for,
            outcome,
            votes_for,
            represented,
            total_households: total,
        }
    }
}

impl ItemResult {
    /// The result in words with its figures, as `sotay show`, the dashboard and the apps print it:
    /// "Thông qua, có giá trị với cả thôn (65/120 hộ của thôn tán thành; 40/90 hộ dự họp)".
    pub fn in_words(&self, lang: crate::labels::Lang) -> String {
        let what = self.outcome.label().get(lang);
        if self.outcome == ItemOutcome::NotEntered {
            return what.to_string();
        }
        match lang {
            crate::labels::Lang::Vi => format!(
                "{what} ({}/{} hộ của thôn tán thành; {}/{} hộ dự họp)",
                self.households_for, self.total_households, self.votes_for, self.represented
            ),
            crate::labels::Lang::En => format!(
                "{what} ({} of the village's {} households in favour; {} of {} present)",
                self.households_for, self.total_households, self.votes_for, self.represented
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VillageMeeting {
    pub title: String,
    pub status: MeetingStatus,
    pub notice_on: Option<CivilDate>,
    pub held_on: Option<CivilDate>,
    pub place: String,
    pub chair: String,
    /// Households of the village on the day (a snapshot: the village changes), and those
    /// represented: `None` where not entered.
    pub total_households: Option<u32>,
    pub households_represented: Option<u32>,
    pub agenda: Vec<AgendaItem>,
}

impl VillageMeeting {
    pub fn results(&self) -> Vec<ItemResult> {
        self.agenda.iter().map(|a| a.result(self.households_represented, self.total_households)).collect()
    }

    /// More than half of the households must be represented for the meeting to decide.
    /// Unknown (`false`) until both counts are entered.
    pub fn quorum(&self) -> bool {
        match (self.households_represented, self.total_households) {
            (Some(r), Some(t)) => u64::from(r) * 2 > u64::from(t),
            _ => false,
        }
    }
}

impl KindRules for VillageMeeting {
    fn title(&self) -> &str {
        &self.title
    }

    fn status_code(&self) -> &'static str {
        self.status.code()
    }

    fn event_date(&self) -> Option<CivilDate> {
        self.held_on.or(self.notice_on)
    }

    fn validate(&self, errors: &mut Vec<FieldError>) {
        require_text(&self.title, "title", errors);
        require_date(self.held_on, "held_on", errors);
        check_order(self.notice_on, self.held_on, "held_on", errors);
        if self.total_households.is_none_or(|t| t == 0) {
            errors.push(FieldError::required("total_households"));
        }
        let represented = self.households_represented.unwrap_or(0);
        let total = self.total_households.unwrap_or(0);
        if self.households_represented.is_some() && represented > total {
            errors.push(FieldError::inconsistent(
                "households_represented",
                "số hộ dự họp lớn hơn tổng số hộ của thôn",
                "more households represented than the village has",
            ));
        }
        for (i, item) in self.agenda.iter().enumerate() {
            require_text(&item.title, &format!("agenda.{i}.title"), errors);
            let cast = [item.votes_for, item.votes_against, item.votes_abstain]
                .iter()
                .map(|v| u64::from(v.unwrap_or(0)))
                .sum::<u64>();
            if self.households_represented.is_some() && cast > u64::from(represented) {
                errors.push(FieldError::inconsistent(
                    format!("agenda.{i}.votes_for"),
                    "tổng số phiếu lớn hơn số hộ dự họp",
                    "more votes than households represented",
                ));
            }
            let mut balloted = 0u64;
            for (j, b) in item.ballot_rounds.iter().enumerate() {
                balloted +=
                    u64::from(b.households_for) + u64::from(b.households_against) + u64::from(b.households_abstain);
                check_order(self.held_on, b.held_on, &format!("agenda.{i}.ballot_rounds.{j}.held_on"), errors);
            }
            if cast + balloted > u64::from(total) {
                errors.push(FieldError::inconsistent(
                    format!("agenda.{i}.ballot_rounds"),
                    "tổng số hộ biểu quyết và lấy phiếu lớn hơn tổng số hộ của thôn",
                    "households voting at the meeting and by ballot exceed the village's households",
                ));
            }
        }
    }

    fn normalise(&mut self) {
        super::assign_ids(self.agenda.iter_mut().map(|a| &mut a.id));
        for a in &mut self.agenda {
            super::assign_ids(a.ballot_rounds.iter_mut().map(|b| &mut b.id));
        }
    }

    fn flags(&self) -> Vec<Flag> {
        let mut out = Vec::new();
        if let (Some(notice), Some(held)) = (self.notice_on, self.held_on) {
            if notice.days_until(held) < NOTICE_DAYS {
                out.push(Flag::new(FlagCode::ShortNotice, "notice_on"));
            }
        }
        if self.status == MeetingStatus::Held {
            // Not known to be short of quorum until both counts are entered.
            let counted = self.households_represented.is_some() && self.total_households.is_some();
            if counted && !self.quorum() {
                out.push(Flag::new(FlagCode::QuorumNotMet, "households_represented"));
            }
            for (i, (item, r)) in self.agenda.iter().zip(self.results()).enumerate() {
                if !r.passed && r.outcome != ItemOutcome::NotEntered && item.ballot_rounds.is_empty() {
                    out.push(Flag::new(FlagCode::NeedsHouseholdBallot, format!("agenda.{i}")));
                }
            }
        }
        out
    }

    fn outcomes(&self) -> Vec<super::Outcome> {
        if self.status != MeetingStatus::Held {
            return Vec::new();
        }
        self.results()
            .into_iter()
            .enumerate()
            .map(|(i, r)| super::Outcome {
                path: format!("agenda.{i}"),
                code: r.outcome.code(),
                vi: r.in_words(crate::labels::Lang::Vi),
                en: r.in_words(crate::labels::Lang::En),
            })
            .collect()
    }

    fn search_text(&self, out: &mut String) {
        super::push_all(out, [self.title.as_str(), &self.place, &self.chair]);
        super::push_all(out, self.agenda.iter().map(|a| a.title.as_str()));
    }

    fn significant_fields() -> &'static [&'static str] {
        &[
            "total_households",
            "households_represented",
            "agenda.*.votes_for",
            "agenda.*.votes_against",
            "agenda.*.votes_abstain",
            "agenda.*.ballot_rounds.*.households_for",
            "agenda.*.ballot_rounds.*.households_against",
            "agenda.*.ballot_rounds.*.households_abstain",
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_needs_half_of_all_households_ballots_included() {
        let mut item = AgendaItem { votes_for: Some(30), votes_against: Some(5), ..Default::default() };
        // 40 of 100 households present, 30 for: passes among present, not overall.
        let r = item.result(Some(40), Some(100));
        assert!(r.passed_among_present);
        assert!(!r.passed);
        item.ballot_rounds.push(BallotRound { households_for: 20, ..Default::default() });
        assert!(!item.result(Some(40), Some(100)).passed, "exactly half is not more than half");
        item.ballot_rounds.push(BallotRound { households_for: 1, ..Default::default() });
        assert!(item.result(Some(40), Some(100)).passed);
    }

    #[test]
    fn each_item_says_in_words_what_its_votes_decide() {
        // 55 of 120 households represented (no quorum); two items with the same flags before.
        let meeting = VillageMeeting {
            title: "Họp thôn bàn làm đường bê tông".into(),
            status: MeetingStatus::Held,
            held_on: Some("2026-10-04".parse().expect("a date")),
            total_households: Some(120),
            households_represented: Some(55),
            agenda: vec![
                AgendaItem {
                    votes_for: Some(40),
                    votes_against: Some(10),
                    votes_abstain: Some(5),
                    ..Default::default()
                },
                AgendaItem {
                    votes_for: Some(10),
                    votes_against: Some(40),
                    votes_abstain: Some(5),
                    ..Default::default()
                },
                // After the meeting, 25 more households agree by ballot: 65 of 120.
                AgendaItem {
                    votes_for: Some(40),
                    ballot_rounds: vec![BallotRound { households_for: 25, ..Default::default() }],
                    ..Default::default()
                },
                // 40 + 20 = 60 of 120: exactly half, not more.
                AgendaItem {
                    votes_for: Some(40),
                    ballot_rounds: vec![BallotRound { households_for: 20, ..Default::default() }],
                    ..Default::default()
                },
                // Votes nobody entered decide nothing, and raise no flag.
                AgendaItem { title: "Chưa nhập phiếu".into(), ..Default::default() },
            ],
            ..Default::default()
        };
        let codes: Vec<&str> = meeting.outcomes().iter().map(|o| o.code).collect();
        assert_eq!(codes, ["needs_ballots", "not_agreed", "passed", "not_passed", "not_entered"]);
        assert!(!meeting.flags().iter().any(|f| f.path == "agenda.4"), "{:?}", meeting.flags());
        let o = meeting.outcomes();
        assert_eq!(
            o[0].vi,
            "Đa số hộ dự họp tán thành nhưng chưa quá nửa tổng số hộ của thôn: cần phát phiếu lấy ý kiến hộ gia đình \
             (40/120 hộ của thôn tán thành; 40/55 hộ dự họp)"
        );
        assert_eq!(
            o[2].en,
            "Passed, binding on the whole village (65 of the village's 120 households in favour; 40 of 55 present)"
        );
        assert_eq!(o[1].path, "agenda.1");
        // A meeting not yet held decides nothing.
        assert!(VillageMeeting { status: MeetingStatus::Planned, ..meeting }.outcomes().is_empty());
    }
}
