//! The vocabularies. Every one is a closed enum with a stable snake_case code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::UnknownCode;

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident : $kind:literal { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        // Codes are the variants in snake_case (a test checks they agree with `as_str`);
        // utoipa reads `rename_all` but not renames passed through a macro.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in JSON and CSV.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { kind: $kind, value: s.chars().take(40).collect() }),
                }
            }
        }

        crate::db::types::text_code_sql!($name);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum!(
    /// What a request is for.
    Category: "category" {
        Medicine = "medicine",
        Food = "food",
        InfantSupplies = "infant_supplies",
        /// Dialysis, childbirth, chemotherapy: closed-loop transport rather than a parcel.
        MedicalEmergency = "medical_emergency",
        Other = "other",
    }
);

code_enum!(
    /// How soon. Residents choose; coordinators may correct it.
    Urgency: "urgency" {
        ExtremelyUrgent = "extremely_urgent",
        Urgent = "urgent",
        Normal = "normal",
    }
);

code_enum!(
    /// Where a request is in its life.
    RequestStatus: "status" {
        New = "new",
        /// The location is uncertain: a coordinator must confirm it.
        NeedsReview = "needs_review",
        Assigned = "assigned",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl RequestStatus {
    /// Still waiting for goods.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            RequestStatus::Delivered | RequestStatus::Failed | RequestStatus::Cancelled
        )
    }
}

code_enum!(
    /// Why a delivery failed.
    FailureReason: "failure reason" {
        NotHome = "not_home",
        Refused = "refused",
        WrongAddress = "wrong_address",
        CouldNotReach = "could_not_reach",
        Other = "other",
    }
);

code_enum!(
    /// Who filed a request: the resident, or someone on their behalf.
    FiledBy: "filer" {
        Resident = "resident",
        /// 楼长 / 单元长.
        BuildingLeader = "building_leader",
        Neighbour = "neighbour",
        Volunteer = "volunteer",
    }
);

impl FiledBy {
    pub fn is_on_behalf(self) -> bool {
        self != FiledBy::Resident
    }
}

code_enum!(
    /// Where a request came in.
    Source: "source" {
        Form = "form",
        Api = "api",
        Csv = "csv",
        Seed = "seed",
    }
);

code_enum!(
    /// How a squad moves.
    TravelMode: "travel mode" {
        Foot = "foot",
        /// Tricycle or e-bike.
        Tricycle = "tricycle",
        Van = "van",
    }
);

code_enum!(
    /// What a squad can do beyond carrying.
    Skill: "skill" {
        /// Protective gear: required inside or at a high-risk zone.
        ProtectiveGear = "protective_gear",
        /// A medic on the squad: medical emergencies, medicine checks.
        Medical = "medical",
        HeavyGoods = "heavy_goods",
    }
);

code_enum!(
    /// The kinds of controlled area of the 2022 rules.
    ZoneKind: "zone kind" {
        /// 高风险区: sealed; goods handed over at the checkpoint.
        HighRisk = "high_risk",
        /// 管控区.
        Controlled = "controlled",
        /// 防范区.
        Precaution = "precaution",
    }
);

code_enum!(
    /// A plan's life.
    PlanStatus: "plan status" {
        Draft = "draft",
        Active = "active",
        Done = "done",
        Cancelled = "cancelled",
    }
);

code_enum!(
    /// A stop's life on a route sheet.
    StopStatus: "stop status" {
        Pending = "pending",
        Arrived = "arrived",
        Delivered = "delivered",
        Failed = "failed",
    }
);

code_enum!(
    /// Why the day's plan leaves a request unserved (the optimizer's reasons, and one of the
    /// dispatch layer's own: no road near the address).
    UnservedReason: "unserved reason" {
        NoSquadAvailable = "no_squad_available",
        /// No squad has the skill (protective gear for a high-risk zone's checkpoint).
        NoSquadWithSkill = "no_squad_with_skill",
        OutsideEveryArea = "outside_every_area",
        ExceedsCapacity = "exceeds_capacity",
        Unreachable = "unreachable",
        DeadlineCannotBeMet = "deadline_cannot_be_met",
        OutsideHours = "outside_hours",
        /// Capacity and time went to more urgent stops.
        NoCapacityLeft = "no_capacity_left",
        /// The point is too far from any road the squads can use.
        NoRoadNearby = "no_road_nearby",
    }
);

code_enum!(
    /// What a staff account may do. Residents have no account: their tracking token shows
    /// one request.
    Role: "role" {
        /// Sees and changes everything.
        Coordinator = "coordinator",
        /// Sees and marks the stops of one squad.
        SquadMember = "squad_member",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text_and_json() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        fn json_matches<T: serde::Serialize + Copy + std::fmt::Display>(all: &[T]) {
            for v in all {
                assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{v}\""));
            }
        }
        json_matches(RequestStatus::ALL);
        json_matches(Urgency::ALL);
        json_matches(FailureReason::ALL);
        json_matches(FiledBy::ALL);
        json_matches(Source::ALL);
        json_matches(TravelMode::ALL);
        json_matches(Skill::ALL);
        json_matches(ZoneKind::ALL);
        json_matches(PlanStatus::ALL);
        json_matches(StopStatus::ALL);
        json_matches(Role::ALL);
        json_matches(UnservedReason::ALL);
    }

    #[test]
    fn unknown_codes_are_named() {
        let e = "pizza".parse::<Category>().unwrap_err();
        assert_eq!(e.to_string(), "unknown category `pizza`");
    }
}
