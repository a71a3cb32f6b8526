//! A closed set of codes (a channel, a verification, a conflict's status):
//! an enum with one string form, the same in JSON, in SQL and on screen.

/// Declares a closed set: strum gives it `Display`, `FromStr` and
/// `VARIANTS` in snake_case, and serde goes through those, so the string
/// form is written once. Crates using it depend on `strum` and `serde_with`.
#[macro_export]
macro_rules! closed_set {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::strum::Display, ::strum::EnumString, ::strum::IntoStaticStr, ::strum::VariantArray,
            ::serde_with::SerializeDisplay, ::serde_with::DeserializeFromStr,
        )]
        #[strum(serialize_all = "snake_case")]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The code, as on the wire and in the databases.
            pub fn code(self) -> &'static str {
                self.into()
            }
        }
    };
}
