//! The registry: every function and composition of an application, plus its extensions.
//!
//! The schema document built from a registry (`get_schema`, `get_registry`) is the
//! `schema` module's: it reads the registry, the registry never reads it.

mod extension;
mod validate;

use std::any::Any;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

pub use extension::{RESERVED_KEYS, RegistryExtension};
pub use validate::{RegistryError, RegistryProblem};

use crate::function::ServerFunction;

/// A named set of functions fetched together in one round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composition {
    name: String,
    members: Vec<String>,
}

impl Composition {
    /// The composition's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The member function names, in registration order.
    pub fn members(&self) -> &[String] {
        &self.members
    }
}

/// What a registration step can collide with; kept until `validate_registry` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conflict {
    Function(String),
    Composition(String),
    Extension(String),
}

/// Holds an application's functions, compositions and extensions.
///
/// Registration never fails on the spot: problems (a duplicate name, an invalid one, a
/// composition of unknown members, ...) are collected and [`validate_registry`]
/// reports them all at once, each with how to fix it. The HTTP adapter refuses to start
/// on an invalid registry.
///
/// ```
/// use mizan_core::{Ctx, FunctionError, Registry, ServerFunction};
///
/// async fn hello(_: Ctx, name: String) -> Result<String, FunctionError> {
///     Ok(format!("Hello, {name}!"))
/// }
///
/// let mut registry = Registry::new();
/// registry.register(ServerFunction::query("hello").handler(hello));
/// registry.register_compose("home", ["hello"]);
/// registry.validate_registry().unwrap();
/// assert_eq!(registry.get_compose("home").unwrap().members(), ["hello"]);
/// ```
///
/// [`validate_registry`]: Self::validate_registry
#[derive(Default)]
pub struct Registry {
    functions: BTreeMap<String, ServerFunction>,
    compositions: BTreeMap<String, Composition>,
    extensions: BTreeMap<String, Box<dyn RegistryExtension>>,
    conflicts: Vec<Conflict>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .field("compositions", &self.compositions.keys().collect::<Vec<_>>())
            .field("extensions", &self.extensions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a function under its own name.
    pub fn register(&mut self, function: ServerFunction) -> &mut Self {
        let name = function.name().to_owned();
        self.insert_function(name, function)
    }

    /// Registers a function under another name (the same handler may serve two names).
    pub fn register_as(&mut self, name: impl Into<String>, function: ServerFunction) -> &mut Self {
        let name = name.into();
        let function = function.renamed(name.clone());
        self.insert_function(name, function)
    }

    fn insert_function(&mut self, name: String, function: ServerFunction) -> &mut Self {
        match self.functions.entry(name) {
            Entry::Occupied(entry) => self.conflicts.push(Conflict::Function(entry.key().clone())),
            Entry::Vacant(entry) => {
                entry.insert(function);
            }
        }
        self
    }

    /// Registers a composition of existing functions, fetched together.
    pub fn register_compose<I, S>(&mut self, name: impl Into<String>, members: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let name = name.into();
        if self.compositions.contains_key(&name) {
            self.conflicts.push(Conflict::Composition(name));
        } else {
            let members = members.into_iter().map(Into::into).collect();
            self.compositions
                .insert(name.clone(), Composition { name, members });
        }
        self
    }

    /// Registers an extension; its schema appears under `name`.
    pub fn register_extension<E: RegistryExtension>(
        &mut self,
        name: impl Into<String>,
        extension: E,
    ) -> &mut Self {
        let name = name.into();
        match self.extensions.entry(name) {
            Entry::Occupied(entry) => self.conflicts.push(Conflict::Extension(entry.key().clone())),
            Entry::Vacant(entry) => {
                entry.insert(Box::new(extension));
            }
        }
        self
    }

    /// A function by name.
    pub fn get_function(&self, name: &str) -> Option<&ServerFunction> {
        self.functions.get(name)
    }

    /// A composition by name.
    pub fn get_compose(&self, name: &str) -> Option<&Composition> {
        self.compositions.get(name)
    }

    /// Every function, ordered by name.
    pub fn get_all_functions(&self) -> impl ExactSizeIterator<Item = &ServerFunction> {
        self.functions.values()
    }

    /// Every composition, ordered by name.
    pub fn get_all_compositions(&self) -> impl ExactSizeIterator<Item = &Composition> {
        self.compositions.values()
    }

    /// The distinct context names, sorted.
    pub fn get_contexts(&self) -> Vec<&str> {
        self.get_context_groups().into_keys().collect()
    }

    /// Each context with the names of its functions, both sorted.
    pub fn get_context_groups(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for function in self.functions.values() {
            if let Some(context) = function.context() {
                groups.entry(context).or_default().push(function.name());
            }
        }
        groups
    }

    /// An extension by name and type.
    pub fn get_extension<E: RegistryExtension>(&self, name: &str) -> Option<&E> {
        let extension: &dyn Any = self.extensions.get(name)?.as_ref();
        extension.downcast_ref()
    }

    /// The names of the registered extensions, sorted.
    pub fn get_extension_names(&self) -> impl Iterator<Item = &str> {
        self.extensions.keys().map(String::as_str)
    }

    /// Every problem of the registry at once, or `Ok`.
    pub fn validate_registry(&self) -> Result<(), RegistryError> {
        validate::validate(self)
    }

    /// Removes every function and composition and clears (then drops) every extension.
    pub fn clear_registry(&mut self) {
        for extension in self.extensions.values_mut() {
            extension.clear();
        }
        self.functions.clear();
        self.compositions.clear();
        self.extensions.clear();
        self.conflicts.clear();
    }

    pub(crate) fn extensions(&self) -> &BTreeMap<String, Box<dyn RegistryExtension>> {
        &self.extensions
    }

    pub(crate) fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}
