//! `validate_registry`: every problem of a registry at once, each phrased as a fix.

use std::collections::BTreeSet;
use std::fmt;

use super::extension::RESERVED_KEYS;
use super::{Conflict, Registry};
use crate::function::{Access, CacheScope, FunctionKind};
use crate::name::{check_function_name, check_identifier};

/// One problem found by `validate_registry`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryProblem {
    /// A function, composition, context or extension name breaks the naming rules.
    #[error("invalid {what} name: {why}")]
    InvalidName {
        /// `function`, `composition`, `context` or `extension`.
        what: &'static str,
        /// Why, and how to fix it.
        why: String,
    },
    /// The same name was registered twice, or a function and a composition share it.
    #[error("`{name}` is registered twice ({what}); give one of them another name, e.g. with `register_as`")]
    DuplicateName {
        /// The name.
        name: String,
        /// What collided.
        what: &'static str,
    },
    /// A composition names a function that is not registered.
    #[error(
        "composition `{composition}` names `{member}`, which is not a registered function; register it first or remove it from the composition"
    )]
    UnknownMember {
        /// The composition.
        composition: String,
        /// The missing member.
        member: String,
    },
    /// A composition includes a mutation; compositions fetch, they never write.
    #[error(
        "composition `{composition}` includes the mutation `{member}`; compositions may only hold queries"
    )]
    MutationInComposition {
        /// The composition.
        composition: String,
        /// The mutation.
        member: String,
    },
    /// A composition lists no member or the same member twice.
    #[error("composition `{composition}` {why}")]
    BadComposition {
        /// The composition.
        composition: String,
        /// What is wrong, and the fix.
        why: &'static str,
    },
    /// A mutation declares a cache policy.
    #[error(
        "mutation `{name}` has a cache policy; mutations are never cached: remove `cache(...)` or make it a query"
    )]
    CachedMutation {
        /// The mutation.
        name: String,
    },
    /// A query declares tags to invalidate.
    #[error(
        "query `{name}` declares `invalidates`; only mutations purge tags: remove it or make it a mutation"
    )]
    InvalidatingQuery {
        /// The query.
        name: String,
    },
    /// A mutation invalidates a tag no function carries: its purge would never reach an entry.
    #[error("mutation `{name}` invalidates `{tag}`, which no function carries{}", nearest_hint(.nearest.as_deref()))]
    UnknownTag {
        /// The mutation.
        name: String,
        /// The tag nothing carries.
        tag: String,
        /// The known tag closest to it, if one is close.
        nearest: Option<String>,
    },
    /// A permission rule lists no permission, or an empty one.
    #[error(
        "function `{name}` requires an empty permission list or name; use `authenticated` or name the permissions"
    )]
    EmptyPermission {
        /// The function.
        name: String,
    },
    /// A query's entries would be shared by everyone although its access rule admits only
    /// some callers: a plain CDN or an edge that skipped the rule would hand them out.
    #[error(
        "query `{name}` is cached with `scope = \"public\"` but needs {rule}; public entries are for functions anyone may call: use `scope = \"permission\"` (callers with the same permission set share one entry) or `scope = \"user\"`"
    )]
    PublicCacheOfGuardedQuery {
        /// The query.
        name: String,
        /// Its access rule, in words (`a valid token`, `the permissions a, b`).
        rule: String,
    },
    /// An extension's name is a top-level key of the schema document.
    #[error(
        "extension `{name}` collides with the schema's top-level key `{name}`; register it under another name"
    )]
    ReservedExtensionName {
        /// The extension.
        name: String,
    },
    /// An extension reported a problem of its own.
    #[error("extension `{extension}`: {problem}")]
    Extension {
        /// The extension.
        extension: String,
        /// Its problem.
        problem: String,
    },
}

/// Everything `validate_registry` found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    problems: Vec<RegistryProblem>,
}

impl RegistryError {
    /// The problems, in a stable order.
    pub fn problems(&self) -> &[RegistryProblem] {
        &self.problems
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the registry has {} problem(s):", self.problems.len())?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RegistryError {}

/// The known name closest to `wanted`, if it is close enough to be a likely typo.
fn nearest(wanted: &str, known: &BTreeSet<&str>) -> Option<String> {
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(wanted, candidate), candidate))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| (*candidate).to_owned())
}

fn nearest_hint(nearest: Option<&str>) -> String {
    match nearest {
        Some(tag) => format!("; did you mean `{tag}`?"),
        None => "; tag a cached query with it (`cache(tags = [...])`) or remove it".to_owned(),
    }
}

pub(super) fn validate(registry: &Registry) -> Result<(), RegistryError> {
    let mut problems = Vec::new();
    let invalid = |what, why| RegistryProblem::InvalidName { what, why };

    for conflict in registry.conflicts() {
        let (name, what) = match conflict {
            Conflict::Function(name) => (name, "two functions"),
            Conflict::Composition(name) => (name, "two compositions"),
            Conflict::Extension(name) => (name, "two extensions"),
        };
        problems.push(RegistryProblem::DuplicateName {
            name: name.clone(),
            what,
        });
    }

    for (name, function) in &registry.functions {
        if let Err(why) = check_function_name(name) {
            problems.push(invalid("function", why));
        }
        if let Some(Err(why)) = function.context().map(check_identifier) {
            problems.push(invalid("context", why));
        }
        match function.kind() {
            FunctionKind::Mutation if function.cache().is_cached() => {
                problems.push(RegistryProblem::CachedMutation { name: name.clone() });
            }
            FunctionKind::Query if !function.invalidates().is_empty() => {
                problems.push(RegistryProblem::InvalidatingQuery { name: name.clone() });
            }
            _ => {}
        }
        if let Access::Permissions(perms) = function.access() {
            if perms.is_empty() || perms.iter().any(String::is_empty) {
                problems.push(RegistryProblem::EmptyPermission { name: name.clone() });
            }
        }
        if function.cache().scope() == CacheScope::Public && function.access().requires_identity() {
            let rule = match function.access() {
                Access::Permissions(perms) => format!("the permissions {}", perms.join(", ")),
                _ => "a valid token".to_owned(),
            };
            problems.push(RegistryProblem::PublicCacheOfGuardedQuery {
                name: name.clone(),
                rule,
            });
        }
    }

    let known_tags: BTreeSet<&str> = registry.functions.values().flat_map(|f| f.cache_tags()).collect();
    let mutations = registry
        .functions
        .iter()
        .filter(|(_, f)| f.kind() == FunctionKind::Mutation);
    for (name, function) in mutations {
        for tag in function.invalidates() {
            if !known_tags.contains(tag.as_str()) {
                problems.push(RegistryProblem::UnknownTag {
                    name: name.clone(),
                    tag: tag.clone(),
                    nearest: nearest(tag, &known_tags),
                });
            }
        }
    }

    for (name, composition) in &registry.compositions {
        if let Err(why) = check_function_name(name) {
            problems.push(invalid("composition", why));
        }
        if registry.functions.contains_key(name) {
            problems.push(RegistryProblem::DuplicateName {
                name: name.clone(),
                what: "a function and a composition",
            });
        }
        let bad = |why| RegistryProblem::BadComposition {
            composition: name.clone(),
            why,
        };
        if composition.members.is_empty() {
            problems.push(bad("has no members; list at least one function"));
        }
        let mut seen = BTreeSet::new();
        for member in &composition.members {
            if !seen.insert(member) {
                problems.push(bad("lists a member twice; list each function once"));
            }
            match registry.functions.get(member) {
                None => problems.push(RegistryProblem::UnknownMember {
                    composition: name.clone(),
                    member: member.clone(),
                }),
                Some(f) if f.kind() == FunctionKind::Mutation => {
                    problems.push(RegistryProblem::MutationInComposition {
                        composition: name.clone(),
                        member: member.clone(),
                    });
                }
                Some(_) => {}
            }
        }
    }

    for (name, extension) in registry.extensions() {
        if let Err(why) = check_identifier(name) {
            problems.push(invalid("extension", why));
        }
        if RESERVED_KEYS.contains(&name.as_str()) {
            problems.push(RegistryProblem::ReservedExtensionName { name: name.clone() });
        }
        problems.extend(
            extension
                .validate()
                .into_iter()
                .map(|problem| RegistryProblem::Extension {
                    extension: name.clone(),
                    problem,
                }),
        );
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(RegistryError { problems })
    }
}
