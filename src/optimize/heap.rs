//! A binary-heap entry popped smallest key first: Dijkstra runs over the units (nearest
//! homes, catchments) and border units ranked for a flow.

use std::cmp::Ordering;

/// `key` (a distance or a rank), the unit, and a tag (the territory it is for).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Smallest {
    pub key: f64,
    pub unit: u32,
    pub tag: u32,
}

impl Smallest {
    pub fn new(key: f64, unit: u32, tag: u32) -> Self {
        Self { key, unit, tag }
    }
}

impl PartialEq for Smallest {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Smallest {}

impl PartialOrd for Smallest {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Smallest {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the smallest key; ties by unit
    /// and tag, for determinism.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.total_cmp(&self.key).then(other.unit.cmp(&self.unit)).then(other.tag.cmp(&self.tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_the_smallest_key_then_the_lowest_unit() {
        let mut heap: std::collections::BinaryHeap<Smallest> = [Smallest::new(2.0, 1, 0), Smallest::new(1.0, 5, 0), Smallest::new(1.0, 3, 0)].into_iter().collect();
        let order: Vec<u32> = std::iter::from_fn(|| heap.pop().map(|s| s.unit)).collect();
        assert_eq!(order, vec![3, 5, 1]);
    }
}
