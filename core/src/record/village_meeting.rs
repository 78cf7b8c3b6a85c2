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
        #[default]
        PublicWorksContribution = "public_works_contribution" => ("Chủ trương và mức đóng góp xây dựng công trình công cộng", "Public works and contributions to them"),
        VillageHeadElection = "village_head_election" => ("Bầu, cho thôi làm Trưởng thôn, Tổ trưởng tổ dân phố", "Electing or dismissing the village head"),
        BoardElection = "board_election" => ("Bầu, bãi nhiệm thành viên Ban Thanh tra nhân dân, Ban Giám sát đầu tư của cộng đồng", "Electing or dismissing members of the inspection and supervision boards"),
        VillageConvention = "village_convention" => ("Nội dung hương ước, quy ước", "The village convention (hương ước, quy ước)"),
        SelfManagementGroup = "self_management_group" => ("Thành lập, giải thể tổ chức tự quản", "Setting up or dissolving self-management groups"),
        OtherCommunityMatter = "other_community_matter" => ("Công việc tự quản khác trong cộng đồng dân cư", "Other self-governed community matters"),
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
    pub votes_for: u32,
    pub votes_against: u32,
    pub votes_abstain: u32,
    pub ballot_rounds: Vec<BallotRound>,
}

/// How an agenda item stands, computed from the votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    /// More than half of the households represented at the meeting agreed.
    pub passed_among_present: bool,
    /// More than half of all households of the village agreed, ballots included: the decision.
    pub passed: bool,
    pub households_for: u32,
}

impl AgendaItem {
    pub fn result(&self, represented: u32, total_households: u32) -> ItemResult {
        let ballots_for = self.ballot_rounds.iter().fold(0u32, |sum, b| sum.saturating_add(b.households_for));
        let households_for = self.votes_for.saturating_add(ballots_for);
        ItemResult {
            passed_among_present: u64::from(self.votes_for) * 2 > u64::from(represented),
            passed: total_households > 0 && u64::from(households_for) * 2 > u64::from(total_households),
            households_for,
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
    /// Households of the village on the day (a snapshot: the village changes).
    pub total_households: u32,
    pub households_represented: u32,
    pub agenda: Vec<AgendaItem>,
}

impl VillageMeeting {
    pub fn results(&self) -> Vec<ItemResult> {
        self.agenda.iter().map(|a| a.result(self.households_represented, self.total_households)).collect()
    }

    /// More than half of the households must be represented for the meeting to decide.
    pub fn quorum(&self) -> bool {
        u64::from(self.households_represented) * 2 > u64::from(self.total_households)
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
        if self.total_households == 0 {
            errors.push(FieldError::required("total_households"));
        }
        if self.households_represented > self.total_households {
            errors.push(FieldError::inconsistent(
                "households_represented",
                "số hộ dự họp lớn hơn tổng số hộ của thôn",
                "more households represented than the village has",
            ));
        }
        for (i, item) in self.agenda.iter().enumerate() {
            require_text(&item.title, &format!("agenda.{i}.title"), errors);
            let cast = u64::from(item.votes_for) + u64::from(item.votes_against) + u64::from(item.votes_abstain);
            if cast > u64::from(self.households_represented) {
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
            if cast + balloted > u64::from(self.total_households) {
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
            if !self.quorum() {
                out.push(Flag::new(FlagCode::QuorumNotMet, "households_represented"));
            }
            for (i, (item, r)) in self.agenda.iter().zip(self.results()).enumerate() {
                if !r.passed && item.ballot_rounds.is_empty() {
                    out.push(Flag::new(FlagCode::NeedsHouseholdBallot, format!("agenda.{i}")));
                }
            }
        }
        out
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
        let mut item = AgendaItem { votes_for: 30, votes_against: 5, ..Default::default() };
        // 40 of 100 households present, 30 for: passes among present, not overall.
        let r = item.result(40, 100);
        assert!(r.passed_among_present);
        assert!(!r.passed);
        item.ballot_rounds.push(BallotRound { households_for: 20, ..Default::default() });
        assert!(!item.result(40, 100).passed, "exactly half is not more than half");
        item.ballot_rounds.push(BallotRound { households_for: 1, ..Default::default() });
        assert!(item.result(40, 100).passed);
    }
}
