//! The road route from an account's rep to the account, for the account under the
//! pointer (or the one account selected): searched on a thread of its own when the
//! account changes, drawn when it arrives.

use crate::model::entities::LonLat;
use crate::model::ids::AccountId;
use crate::session::Session;
use crate::spatial::mercator::to_mercator;
use std::sync::mpsc::{channel, Receiver};

/// What a route was asked for: the account, its rep's home (bits) and the road
/// network (its address: a network read later asks again).
type Target = (AccountId, u64, u64, usize);

#[derive(Default)]
pub struct RouteView {
    target: Option<Target>,
    pending: Option<Receiver<Option<Vec<LonLat>>>>,
    /// The route shown, in mercator coordinates (empty: none).
    pub merc: Vec<[f64; 2]>,
}

impl RouteView {
    /// Follows `account` (none: no route). Returns whether a search is still running.
    pub fn refresh(&mut self, session: &Session, account: Option<AccountId>) -> bool {
        let roads = session.roads();
        let network = roads.as_ref().map_or(0, |r| std::sync::Arc::as_ptr(r) as usize);
        let target = account.and_then(|id| {
            let (project, scenario) = (session.project(), session.scenario());
            let a = project.accounts.get(id.index())?;
            let rep = scenario.territory(scenario.account_territory(a.id, a.unit)?)?.rep?;
            let home = project.reps.get(rep.index())?.home;
            Some((id, home.lon.to_bits(), home.lat.to_bits(), network))
        });
        if target != self.target {
            self.target = target;
            self.merc.clear();
            self.pending = None;
            if let (Some((id, lon, lat, _)), Some(roads)) = (target, roads) {
                let (sender, receiver) = channel();
                let home = LonLat::new(f64::from_bits(lon), f64::from_bits(lat));
                std::thread::spawn(move || {
                    // The receiver is gone when the pointer moved on: nothing to do.
                    let _ = sender.send(roads.route(home, id.index()));
                });
                self.pending = Some(receiver);
            }
        }
        if let Some(receiver) = &self.pending {
            match receiver.try_recv() {
                Ok(route) => {
                    self.merc = route.unwrap_or_default().iter().map(|p| to_mercator(p.lon, p.lat)).collect();
                    self.pending = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return true,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.pending = None,
            }
        }
        false
    }

    /// Whether a route is being searched.
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }
}
