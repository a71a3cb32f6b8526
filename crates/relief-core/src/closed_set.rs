//! A closed set of codes (a channel, a role, a conflict's status): an enum
//! with one string form, the same in JSON, in SQL, in TypeScript and on
//! screen, and where it has one, one label in Korean.

/// Declares a closed set: strum gives it `Display`, `FromStr` and
/// `VARIANTS` in snake_case, and serde goes through those, so the string
/// form is written once. A variant may name its code (`SelfApplicant =
/// "self"`) and its label (`=> "본인"`); a set with labels gets `label()`.
/// With relief-core's `ts` feature the set is also a TypeScript union (for
/// the app's views). `enum SiteType as "창구 종류"` names the set in
/// words, for the message of an unknown code. Crates using it depend on
/// `strum` and `serde_with`.
///
/// An unknown code is an [`UnknownCode`] naming the codes there are: never
/// a default.
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident $(as $what:literal)? {
            $($(#[$vmeta:meta])* $variant:ident $(= $code:literal)? => $label:literal),+ $(,)?
        }
    ) => {
        $crate::closed_set! {
            $(#[$meta])* $vis enum $name $(as $what)? { $($(#[$vmeta])* $variant $(= $code)?),+ }
        }

        impl $name {
            /// The word for it on screen and on paper.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl $crate::Labelled for $name {
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }
    };
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident $(as $what:literal)? {
            $($(#[$vmeta:meta])* $variant:ident $(= $code:literal)?),+ $(,)?
        }
    ) => {
        $crate::__closed_set_enum! {
            $(#[$meta])*
            #[derive(
                Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
                ::strum::Display, ::strum::EnumString, ::strum::IntoStaticStr,
                ::strum::VariantArray, ::strum::VariantNames,
                ::serde_with::SerializeDisplay, ::serde_with::DeserializeFromStr,
            )]
            #[strum(
                serialize_all = "snake_case",
                parse_err_ty = $crate::UnknownCode,
                parse_err_fn = Self::unknown_code
            )]
            $vis enum $name {
                $($(#[$vmeta])* $(#[strum(serialize = $code)])? $variant $(= $code)?),+
            }
        }

        impl $name {
            /// The code, as on the wire and in the databases.
            pub fn code(self) -> &'static str {
                self.into()
            }

            fn unknown_code(got: &str) -> $crate::UnknownCode {
                $crate::UnknownCode {
                    what: [$($what)?].first().copied(),
                    got: got.to_owned(),
                    expected: <$name as ::strum::VariantNames>::VARIANTS,
                }
            }
        }

        $crate::__closed_set_sql!($name);
    };
}

/// The set as an SQLite column (its code, as TEXT), where relief-core's
/// `rusqlite` feature is on: a stored code that is not one of the set's is
/// a conversion error naming the codes there are, never a default.
#[cfg(feature = "rusqlite")]
#[doc(hidden)]
#[macro_export]
macro_rules! __closed_set_sql {
    ($name:ident) => {
        impl $crate::__private::rusqlite::types::ToSql for $name {
            fn to_sql(
                &self,
            ) -> $crate::__private::rusqlite::Result<
                $crate::__private::rusqlite::types::ToSqlOutput<'_>,
            > {
                Ok(self.code().into())
            }
        }

        impl $crate::__private::rusqlite::types::FromSql for $name {
            fn column_result(
                value: $crate::__private::rusqlite::types::ValueRef<'_>,
            ) -> $crate::__private::rusqlite::types::FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: $crate::UnknownCode| {
                    $crate::__private::rusqlite::types::FromSqlError::Other(Box::new(e))
                })
            }
        }
    };
}

#[cfg(not(feature = "rusqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __closed_set_sql {
    ($name:ident) => {};
}

/// The enum itself, with a TypeScript form where relief-core's `ts` feature
/// is on. (A `cfg` written in `closed_set!` would be read in the crate that
/// uses the macro; here it is read in relief-core, where the feature is.)
#[cfg(feature = "ts")]
#[doc(hidden)]
#[macro_export]
macro_rules! __closed_set_enum {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident $(= $code:literal)?),+
        }
    ) => {
        $(#[$meta])*
        #[derive($crate::__private::ts_rs::TS)]
        #[ts(crate = "relief_core::__private::ts_rs", rename_all = "snake_case")]
        $vis enum $name {
            $($(#[$vmeta])* $(#[ts(rename = $code)])? $variant),+
        }
    };
}

#[cfg(not(feature = "ts"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __closed_set_enum {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident $(= $code:literal)?),+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }
    };
}

/// A closed set whose codes have words, for code that lists any such set
/// (a form's choices).
pub trait Labelled: Copy + strum::VariantArray + 'static {
    fn label(self) -> &'static str;
}

/// A code that is not one of its set's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// The set, in words, where it was given one.
    pub what: Option<&'static str>,
    pub got: String,
    pub expected: &'static [&'static str],
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(what) = self.what {
            write!(f, "{what}: ")?;
        }
        write!(
            f,
            "알 수 없는 값입니다: {:?} (가능한 값: {})",
            self.got,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownCode {}

#[cfg(test)]
mod tests {
    crate::closed_set! {
        enum Sample as "보기" {
            First => "첫째",
            SecondOne => "둘째",
            Mine = "self" => "본인",
        }
    }

    #[test]
    fn one_string_form_each_way() {
        use strum::VariantArray;
        for s in Sample::VARIANTS {
            assert_eq!(s.code().parse::<Sample>(), Ok(*s));
            assert_eq!(s.to_string(), s.code());
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
            assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), *s);
        }
        assert_eq!(Sample::SecondOne.code(), "second_one");
        assert_eq!(Sample::Mine.code(), "self");
        assert_eq!(Sample::Mine.label(), "본인");
    }

    #[test]
    fn an_unknown_code_is_refused_naming_the_known_ones() {
        let e = "mine".parse::<Sample>().unwrap_err();
        assert_eq!(e.got, "mine");
        assert_eq!(
            e.to_string(),
            "보기: 알 수 없는 값입니다: \"mine\" (가능한 값: first, second_one, self)"
        );
        let json = serde_json::from_str::<Sample>("\"Self\"").unwrap_err();
        assert!(json.to_string().contains("가능한 값"), "{json}");
    }

    #[cfg(feature = "rusqlite")]
    #[test]
    fn in_sqlite_its_code_and_nothing_else() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let back: Sample = db
            .query_row("SELECT ?1", [Sample::Mine], |r| r.get(0))
            .unwrap();
        assert_eq!(back, Sample::Mine);
        let stored: String = db
            .query_row("SELECT ?1", [Sample::Mine], |r| r.get(0))
            .unwrap();
        assert_eq!(stored, "self");
        let e = db
            .query_row("SELECT 'mine'", [], |r| r.get::<_, Sample>(0))
            .unwrap_err();
        assert!(e.to_string().contains("가능한 값"), "{e}");
    }

    #[cfg(feature = "ts")]
    #[test]
    fn in_typescript_a_union_of_the_same_codes() {
        use ts_rs::TS;
        let cfg = ts_rs::Config::new();
        assert_eq!(Sample::inline(&cfg), r#""first" | "second_one" | "self""#);
    }
}
