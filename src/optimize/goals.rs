//! What each territory should weigh. Most territories get the fair share F; one whose
//! locked units and pinned accounts alone weigh more than F keeps that excess (it is
//! forced on the plan, not a flaw of it), and the others share the rest evenly:
//! Σ max(F, floor_t) = total weight ("water-filling").

use super::Problem;

#[derive(Clone, Debug, PartialEq)]
pub struct Goals {
    /// The share of a territory that nothing forces above it.
    pub fair: f64,
    /// Each territory's goal: max(fair, its floor).
    pub goal: Vec<f64>,
}

impl Goals {
    /// Goals of a problem: floors are the base loads plus the locked units.
    pub fn of(problem: &Problem) -> Self {
        Self::from_floors(&floors(problem), problem.total_weight())
    }

    /// Goals as an assignment stands: a territory's floor is also at least its heaviest
    /// unit (with its base load), wherever that unit went.
    pub fn of_assignment(problem: &Problem, assignment: &[u32]) -> Self {
        let mut floors = floors(problem);
        for (u, &t) in assignment.iter().enumerate() {
            let t = t as usize;
            floors[t] = floors[t].max(problem.base_load(t) + problem.weights[u]);
        }
        Self::from_floors(&floors, problem.total_weight())
    }

    /// Water-filling: the largest floors that exceed the share of the rest keep their
    /// floor; the rest is split evenly.
    pub fn from_floors(floors: &[f64], total: f64) -> Self {
        let k = floors.len();
        let mut sorted: Vec<f64> = floors.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let mut fair = if k > 0 { total / k as f64 } else { 0.0 };
        let mut above = 0.0;
        for (j, floor) in sorted.iter().enumerate() {
            let share = (total - above) / (k - j) as f64;
            if *floor <= share {
                fair = share;
                break;
            }
            above += floor;
            fair = share;
        }
        let goal = floors.iter().map(|f| f.max(fair)).collect();
        Self { fair, goal }
    }

    /// How far `load` of territory `t` is from its goal, as a fraction of the fair
    /// share (0 when there is nothing to share).
    #[inline]
    pub fn deviation(&self, t: usize, load: f64) -> f64 {
        if self.fair > 0.0 {
            (load - self.goal[t]) / self.fair
        } else {
            0.0
        }
    }

    pub fn deviations(&self, loads: &[f64]) -> Vec<f64> {
        loads.iter().enumerate().map(|(t, l)| self.deviation(t, *l)).collect()
    }

    /// Goals where some territories are held at a load of their own (`held[t]`): a
    /// territory walled in below its share, or stuck above it, keeps what it has and
    /// the others share the rest evenly, rather than its neighbours alone carrying the
    /// difference. Deviations keep the fair share as their unit.
    pub fn holding(&self, held: &[Option<f64>]) -> Self {
        let free: Vec<usize> = (0..self.goal.len()).filter(|t| held.get(*t).copied().flatten().is_none()).collect();
        let total = self.goal.iter().sum::<f64>() - held.iter().flatten().sum::<f64>();
        // A goal above the fair share is a heavy floor, kept as one.
        let floors: Vec<f64> = free.iter().map(|t| if self.goal[*t] > self.fair * (1.0 + 1e-12) { self.goal[*t] } else { 0.0 }).collect();
        let inner = Self::from_floors(&floors, total.max(0.0));
        let mut goal = self.goal.clone();
        for (i, t) in free.iter().enumerate() {
            goal[*t] = inner.goal[i];
        }
        for (t, h) in held.iter().enumerate() {
            if let Some(h) = h {
                goal[t] = *h;
            }
        }
        Self { fair: self.fair, goal }
    }
}

/// How a group of territories stands, to judge a change to them. A territory within
/// the tolerance costs nothing; one outside costs the tolerance squared plus the square
/// of how far beyond it is. So a peak counts more than several small misses (taking
/// 60% down to 40% is worth a few neighbours just outside), yet a small gain on the
/// worst cannot push many others out. Ties go to the plain sum of squares.
#[derive(Clone, Copy, Debug)]
pub struct Score {
    pub cost: f64,
    pub squares: f64,
}

impl Score {
    pub fn of(devs: &[f64], group: &[u32], tolerance: f64) -> Self {
        let abs = || group.iter().map(|t| devs[*t as usize].abs());
        let cost = abs().map(|d| if d <= tolerance { 0.0 } else { (d - tolerance).powi(2) + tolerance * tolerance }).sum();
        Self { cost, squares: abs().map(|d| d * d).sum() }
    }

    pub fn better_than(&self, before: &Self) -> bool {
        const EPS: f64 = 1e-12;
        if (self.cost - before.cost).abs() > EPS {
            return self.cost < before.cost;
        }
        self.squares < before.squares - EPS
    }
}

/// Base load plus locked units of each territory.
pub fn floors(problem: &Problem) -> Vec<f64> {
    let mut floors = problem.initial_loads();
    for (u, t) in problem.fixed.iter().enumerate() {
        if let Some(f) = t.and_then(|t| floors.get_mut(t as usize)) {
            *f += problem.weights[u];
        }
    }
    floors
}

/// Loads of an assignment, base loads included.
pub fn loads(problem: &Problem, assignment: &[u32]) -> Vec<f64> {
    let mut loads = problem.initial_loads();
    for (u, &t) in assignment.iter().enumerate() {
        loads[t as usize] += problem.weights[u];
    }
    loads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_heavy_floors_every_territory_gets_the_mean() {
        let g = Goals::from_floors(&[0.0, 1.0, 2.0], 12.0);
        assert_eq!(g.fair, 4.0);
        assert_eq!(g.goal, vec![4.0, 4.0, 4.0]);
    }

    #[test]
    fn heavy_floors_keep_their_excess_and_the_rest_share_what_is_left() {
        // Mean 5; the floor of 9 exceeds it: the other three share 11, then 6 exceeds
        // 11/3 too, so the last two share 5.
        let g = Goals::from_floors(&[9.0, 0.0, 6.0, 0.0], 20.0);
        assert_eq!(g.fair, 2.5);
        assert_eq!(g.goal, vec![9.0, 2.5, 6.0, 2.5]);
        assert!((g.goal.iter().sum::<f64>() - 20.0).abs() < 1e-12, "goals add up to the total");
        assert_eq!(g.deviation(1, 3.0), 0.2);
        assert_eq!(g.deviation(0, 9.0), 0.0, "a heavy floor alone is on its goal");
    }

    #[test]
    fn held_territories_keep_their_load_and_the_others_share_the_rest() {
        // Four territories of mean 5; one walled in at 2: the other three share 18.
        let g = Goals::from_floors(&[0.0; 4], 20.0).holding(&[Some(2.0), None, None, None]);
        assert_eq!(g.goal, vec![2.0, 6.0, 6.0, 6.0]);
        assert_eq!(g.fair, 5.0, "deviations keep their unit");
        // A heavy floor stays a floor.
        let g = Goals::from_floors(&[9.0, 0.0, 0.0, 0.0], 20.0).holding(&[None, Some(1.0), None, None]);
        assert_eq!(g.goal, vec![9.0, 1.0, 5.0, 5.0]);
    }

    #[test]
    fn nothing_to_share_has_no_deviation() {
        let g = Goals::from_floors(&[0.0, 0.0], 0.0);
        assert_eq!(g.deviations(&[0.0, 0.0]), vec![0.0, 0.0]);
    }
}
