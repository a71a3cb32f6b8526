//! Who may collect for whom.
//!
//! Gyeonggi 2020: the person themself; or a spouse, a lineal ascendant or
//! descendant (직계존비속), or the spouse's lineal relatives; minors through
//! their legal representative; a household of minors only may apply for
//! itself. Other campaigns also demanded a 위임장 and the principal's ID.

use serde::Serialize;

use crate::policy::ProxyRules;

crate::closed_set! {
    /// The applicant's relation to the beneficiary, as recorded on the
    /// issuance.
    pub enum Relation as "관계" {
        SelfApplicant = "self" => "본인",
        Spouse => "배우자",
        /// 직계존비속: parents, grandparents, children, grandchildren.
        LinealRelative => "직계존비속",
        /// The spouse's 직계존비속.
        SpouseLinealRelative => "배우자의 직계존비속",
        /// 법정대리인 of a minor (usually a parent).
        LegalRepresentative => "법정대리인",
    }
}

crate::closed_set! {
    /// The identity document the clerk saw.
    pub enum IdDocument as "신분증" {
        ResidentCard => "주민등록증",
        DriverLicense => "운전면허증",
        Passport => "여권",
        AlienRegistrationCard => "외국인등록증",
    }
}

/// One applicant collecting for one beneficiary. Ages are full years (만 나이)
/// on the day of application.
#[derive(Clone, Copy, Debug)]
pub struct Collection {
    pub relation: Relation,
    pub applicant_age: u32,
    pub beneficiary_age: u32,
    /// Every member of the beneficiary's household is a minor.
    pub household_of_minors: bool,
}

/// What the clerk must see besides the applicant's own ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Requirements {
    pub power_of_attorney: bool,
    pub principal_id: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyRefusal {
    #[error("이번 지원금은 {}의 대리 신청을 받지 않습니다", .0.label())]
    RelationNotAllowed(Relation),
    #[error("미성년자는 법정대리인이 신청합니다")]
    MinorNeedsRepresentative,
    #[error("법정대리인 신청은 미성년자에게만 해당합니다")]
    RepresentativeOnlyForMinors,
    #[error("미성년자는 미성년자로만 이루어진 세대에서 본인 것만 신청할 수 있습니다")]
    MinorApplicant,
}

/// Decides whether this applicant may collect for this beneficiary, and what
/// papers that takes.
pub fn may_collect(rules: &ProxyRules, c: &Collection) -> Result<Requirements, ProxyRefusal> {
    if !rules.relations.contains(&c.relation) {
        return Err(ProxyRefusal::RelationNotAllowed(c.relation));
    }
    let minor = |age: u32| age < rules.adult_age;
    let self_applying = c.relation == Relation::SelfApplicant;
    if minor(c.applicant_age) {
        let own_household_of_minors =
            c.household_of_minors && rules.minors_only_household_may_apply;
        if !(self_applying && own_household_of_minors) {
            return Err(ProxyRefusal::MinorApplicant);
        }
    }
    match c.relation {
        Relation::LegalRepresentative if !minor(c.beneficiary_age) => {
            return Err(ProxyRefusal::RepresentativeOnlyForMinors);
        }
        Relation::Spouse | Relation::LinealRelative | Relation::SpouseLinealRelative
            if minor(c.beneficiary_age) =>
        {
            return Err(ProxyRefusal::MinorNeedsRepresentative);
        }
        _ => {}
    }
    if self_applying {
        return Ok(Requirements::default());
    }
    Ok(Requirements {
        power_of_attorney: rules.power_of_attorney_required,
        principal_id: rules.principal_id_required,
    })
}

/// What the clerk tells a visitor who is a minor on the day, before any
/// card is scanned: who may collect for them. `None` for an adult.
pub fn minor_notice(rules: &ProxyRules, age: u32) -> Option<String> {
    if age >= rules.adult_age {
        return None;
    }
    let mut notice = format!("만 {age}세 미성년자입니다: 법정대리인(부모 등)이 신청합니다");
    if rules.minors_only_household_may_apply {
        notice.push_str(". 미성년자로만 이루어진 세대라면 본인이 신청할 수 있습니다");
    }
    Some(notice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin;

    fn case(relation: Relation, applicant_age: u32, beneficiary_age: u32) -> Collection {
        Collection {
            relation,
            applicant_age,
            beneficiary_age,
            household_of_minors: false,
        }
    }

    #[test]
    fn gyeonggi_lets_family_collect_without_a_letter() {
        let rules = builtin::gyeonggi_2020().proxy;
        for relation in [
            Relation::SelfApplicant,
            Relation::Spouse,
            Relation::LinealRelative,
            Relation::SpouseLinealRelative,
        ] {
            assert_eq!(
                may_collect(&rules, &case(relation, 45, 44)),
                Ok(Requirements::default())
            );
        }
    }

    #[test]
    fn minors_go_through_their_legal_representative() {
        let rules = builtin::gyeonggi_2020().proxy;
        assert!(may_collect(&rules, &case(Relation::LegalRepresentative, 45, 12)).is_ok());
        assert_eq!(
            may_collect(&rules, &case(Relation::LinealRelative, 70, 12)),
            Err(ProxyRefusal::MinorNeedsRepresentative)
        );
        assert_eq!(
            may_collect(&rules, &case(Relation::LegalRepresentative, 45, 19)),
            Err(ProxyRefusal::RepresentativeOnlyForMinors)
        );
        // 18 is still a minor; 19 is not.
        assert_eq!(
            may_collect(&rules, &case(Relation::SelfApplicant, 18, 18)),
            Err(ProxyRefusal::MinorApplicant)
        );
        assert!(may_collect(&rules, &case(Relation::SelfApplicant, 19, 19)).is_ok());
    }

    #[test]
    fn a_household_of_minors_applies_for_itself() {
        let rules = builtin::gyeonggi_2020().proxy;
        let own = Collection {
            household_of_minors: true,
            ..case(Relation::SelfApplicant, 17, 17)
        };
        assert!(may_collect(&rules, &own).is_ok());
        let sibling = Collection {
            household_of_minors: true,
            ..case(Relation::LegalRepresentative, 17, 15)
        };
        assert_eq!(
            may_collect(&rules, &sibling),
            Err(ProxyRefusal::MinorApplicant)
        );
    }

    #[test]
    fn the_national_aid_wants_papers_and_no_in_laws() {
        let rules = builtin::national_2020().proxy;
        assert_eq!(
            may_collect(&rules, &case(Relation::Spouse, 50, 50)),
            Ok(Requirements {
                power_of_attorney: true,
                principal_id: true
            })
        );
        assert_eq!(
            may_collect(&rules, &case(Relation::SelfApplicant, 50, 50)),
            Ok(Requirements::default())
        );
        assert_eq!(
            may_collect(&rules, &case(Relation::SpouseLinealRelative, 50, 80)),
            Err(ProxyRefusal::RelationNotAllowed(
                Relation::SpouseLinealRelative
            ))
        );
    }

    #[test]
    fn a_minor_is_told_who_may_collect_before_anything_is_scanned() {
        let mut rules = builtin::gyeonggi_2020().proxy;
        assert_eq!(minor_notice(&rules, 19), None);
        let notice = minor_notice(&rules, 14).unwrap();
        assert!(
            notice.contains("만 14세") && notice.contains("법정대리인"),
            "{notice}"
        );
        assert!(notice.contains("미성년자로만 이루어진 세대"), "{notice}");
        rules.minors_only_household_may_apply = false;
        let notice = minor_notice(&rules, 18).unwrap();
        assert!(!notice.contains("세대"), "{notice}");
    }
}
