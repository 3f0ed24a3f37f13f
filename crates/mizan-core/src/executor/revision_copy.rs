//! A local copy of tag revisions, for a cache backend shared by several instances: a cached
//! call reads its revision here instead of asking the backend, and the copy stays fresh by
//! what every instance announces on `mizan_revisions` after a purge.
//!
//! It is kept only while the channel layer hears every announcement. Whatever could have
//! been missed (the layer apart from the other instances, a listener that fell behind)
//! empties it, and a backend read that started before that is not kept. An entry older
//! than the copy's `max_age` is read again, which bounds how long an announcement lost in
//! a way no one noticed (a link cut silently) can leave an answer stale.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Revisions by tag, each with when it was learned.
pub(super) struct RevisionCopy {
    max_age: Duration,
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    /// Whether every announcement is heard now; while not, nothing is kept.
    joined: bool,
    /// Moves each time the copy is emptied, so a read taken before cannot refill it.
    generation: u64,
    tags: HashMap<String, Known, foldhash::fast::RandomState>,
}

struct Known {
    revision: u64,
    learned: Instant,
}

/// Taken before a backend read of revisions: what the read finds may be kept only if the
/// copy was not emptied meanwhile.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ticket(u64);

impl RevisionCopy {
    /// An empty copy, apart until [`join`](Self::join)ed: it keeps nothing before its
    /// owner listens to the announcements.
    pub(super) fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            state: RwLock::default(),
        }
    }

    /// The revisions of `tags`, when the copy has every one of them, none older than
    /// `max_age`.
    pub(super) fn get(&self, tags: &[&str]) -> Option<Vec<u64>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        if !state.joined {
            return None;
        }
        let now = Instant::now();
        tags.iter()
            .map(|tag| {
                let known = state.tags.get(*tag)?;
                (now.duration_since(known.learned) < self.max_age).then_some(known.revision)
            })
            .collect()
    }

    /// A ticket for keeping what a backend read is about to find; `None` while apart.
    pub(super) fn ticket(&self) -> Option<Ticket> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state.joined.then_some(Ticket(state.generation))
    }

    /// Keeps the revisions a backend read found, if nothing could have been missed since
    /// its `ticket` was taken.
    pub(super) fn keep<'a>(&self, ticket: Ticket, revisions: impl IntoIterator<Item = (&'a str, u64)>) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.joined && state.generation == ticket.0 {
            state.learn(revisions);
        }
    }

    /// Takes in announced revisions (a purge's, a resync's): each tag moves up to its
    /// announced value, never back, since announcements of one tag may arrive in any order.
    pub(super) fn hear<'a>(&self, revisions: impl IntoIterator<Item = (&'a str, u64)>) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.joined {
            state.learn(revisions);
        }
    }

    /// Starts keeping revisions: every announcement from now on is heard.
    pub(super) fn join(&self) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.joined = true;
    }

    /// Stops keeping revisions until the next [`join`](Self::join): announcements may be
    /// missed from now on.
    pub(super) fn leave(&self) {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.joined = false;
        state.empty();
    }

    /// Empties the copy: some announcements were missed.
    pub(super) fn forget(&self) {
        self.state.write().unwrap_or_else(|e| e.into_inner()).empty();
    }
}

impl State {
    fn learn<'a>(&mut self, revisions: impl IntoIterator<Item = (&'a str, u64)>) {
        let learned = Instant::now();
        for (tag, revision) in revisions {
            match self.tags.get_mut(tag) {
                Some(known) if revision >= known.revision => {
                    *known = Known { revision, learned };
                }
                Some(_) => {}
                None => {
                    self.tags.insert(tag.to_owned(), Known { revision, learned });
                }
            }
        }
    }

    fn empty(&mut self) {
        self.generation += 1;
        self.tags.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE: Duration = Duration::from_secs(60);

    fn joined() -> RevisionCopy {
        let copy = RevisionCopy::new(AGE);
        copy.join();
        copy
    }

    #[test]
    fn it_answers_only_for_every_tag_it_has() {
        let copy = joined();
        copy.keep(copy.ticket().unwrap(), [("a", 5), ("b", 7)]);
        assert_eq!(copy.get(&["b", "a"]), Some(vec![7, 5]));
        assert_eq!(copy.get(&[]), Some(vec![]));
        assert_eq!(copy.get(&["a", "c"]), None, "c must be read from the backend");
    }

    #[test]
    fn it_keeps_nothing_before_it_joins_nor_after_it_leaves() {
        let copy = RevisionCopy::new(AGE);
        assert!(copy.ticket().is_none());
        copy.hear([("a", 5)]);
        copy.join();
        assert_eq!(copy.get(&["a"]), None, "heard while apart");

        copy.keep(copy.ticket().unwrap(), [("a", 5)]);
        copy.leave();
        assert_eq!(copy.get(&["a"]), None, "apart: purges may be missed");
        copy.join();
        assert_eq!(copy.get(&["a"]), None, "what it had before leaving is gone");
    }

    #[test]
    fn a_read_that_started_before_the_copy_was_emptied_is_not_kept() {
        let copy = joined();
        let before_leaving = copy.ticket().unwrap();
        copy.leave();
        copy.join();
        copy.keep(before_leaving, [("a", 5)]);
        assert_eq!(copy.get(&["a"]), None);

        let before_forgetting = copy.ticket().unwrap();
        copy.forget();
        copy.keep(before_forgetting, [("a", 5)]);
        assert_eq!(copy.get(&["a"]), None);
        copy.keep(copy.ticket().unwrap(), [("a", 5)]);
        assert_eq!(copy.get(&["a"]), Some(vec![5]));
    }

    #[test]
    fn announcements_move_a_revision_forward_never_back() {
        let copy = joined();
        copy.keep(copy.ticket().unwrap(), [("a", 5)]);
        copy.hear([("a", 9), ("new", 3)]);
        assert_eq!(copy.get(&["a", "new"]), Some(vec![9, 3]));
        copy.hear([("a", 8)]);
        let ticket = copy.ticket().unwrap();
        copy.keep(ticket, [("a", 6)]);
        assert_eq!(copy.get(&["a"]), Some(vec![9]), "a late announcement or read");
    }

    #[test]
    fn an_entry_older_than_the_max_age_is_read_again() {
        let copy = RevisionCopy::new(Duration::ZERO);
        copy.join();
        copy.keep(copy.ticket().unwrap(), [("a", 5)]);
        assert_eq!(copy.get(&["a"]), None);
    }
}
