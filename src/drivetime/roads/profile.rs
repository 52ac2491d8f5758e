//! The car profile: which OpenStreetMap ways a sales rep can drive, in which direction,
//! and how fast. The speeds are OSRM's car profile (the reference the issue names),
//! in km/h; a posted `maxspeed` replaces the class speed at 80% of the limit (traffic,
//! junctions), as OSRM does.
//!
//! | highway | km/h | highway | km/h |
//! |---|---|---|---|
//! | motorway | 90 | motorway_link | 45 |
//! | trunk | 85 | trunk_link | 40 |
//! | primary | 65 | primary_link | 30 |
//! | secondary | 55 | secondary_link | 25 |
//! | tertiary | 40 | tertiary_link | 20 |
//! | unclassified, residential | 25 | living_street | 10 |
//! | service (not parking aisles) | 15 | | |

/// Which way traffic may go along a way's node order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Both,
    Forward,
    Backward,
}

/// A drivable way: its speed and direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drivable {
    pub speed_kmh: f32,
    pub direction: Direction,
}

/// Share of a posted limit a car averages.
pub const POSTED_SHARE: f64 = 0.8;

fn class_speed(highway: &str) -> Option<f64> {
    Some(match highway {
        "motorway" => 90.0,
        "motorway_link" => 45.0,
        "trunk" => 85.0,
        "trunk_link" => 40.0,
        "primary" => 65.0,
        "primary_link" => 30.0,
        "secondary" => 55.0,
        "secondary_link" => 25.0,
        "tertiary" => 40.0,
        "tertiary_link" => 20.0,
        "unclassified" | "residential" | "road" => 25.0,
        "living_street" => 10.0,
        "service" => 15.0,
        _ => return None,
    })
}

/// A `maxspeed` value in km/h: "50", "55 mph", "30 knots" is not a road limit; "none",
/// "signals", "walk" and zone codes give `None` (the class speed stays).
pub fn parse_maxspeed(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    let (number, factor) = match t.strip_suffix("mph") {
        Some(n) => (n.trim(), 1.609_344),
        None => (t.strip_suffix("km/h").or_else(|| t.strip_suffix("kmh")).unwrap_or(&t).trim(), 1.0),
    };
    let value: f64 = number.parse().ok()?;
    (value > 0.0 && value < 200.0).then_some(value * factor)
}

/// Whether a way with these tags is drivable by car, and how. Tags come as (key, value).
pub fn car<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Option<Drivable> {
    let (mut highway, mut maxspeed, mut oneway, mut roundabout, mut service) = (None, None, None, false, None);
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "maxspeed" => maxspeed = Some(v),
            "oneway" => oneway = Some(v),
            "junction" => roundabout = matches!(v, "roundabout" | "circular"),
            "service" => service = Some(v),
            "access" | "motor_vehicle" | "motorcar" | "vehicle" if matches!(v, "no" | "private" | "agricultural" | "forestry") => return None,
            "area" if v == "yes" => return None,
            _ => {}
        }
    }
    let highway = highway?;
    if highway == "service" && matches!(service, Some("parking_aisle" | "drive-through" | "emergency_access")) {
        return None;
    }
    let class = class_speed(highway)?;
    let speed = maxspeed.and_then(parse_maxspeed).map_or(class, |posted| posted * POSTED_SHARE);
    let implied_oneway = roundabout || matches!(highway, "motorway" | "motorway_link");
    let direction = match oneway {
        Some("yes" | "1" | "true") => Direction::Forward,
        Some("-1" | "reverse") => Direction::Backward,
        Some("no" | "0" | "false") => Direction::Both,
        _ if implied_oneway => Direction::Forward,
        _ => Direction::Both,
    };
    Some(Drivable { speed_kmh: speed as f32, direction })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn way(tags: &[(&'static str, &'static str)]) -> Option<Drivable> {
        car(tags.iter().copied())
    }

    #[test]
    fn classes_directions_and_limits() {
        assert_eq!(way(&[("highway", "residential")]), Some(Drivable { speed_kmh: 25.0, direction: Direction::Both }));
        assert_eq!(way(&[("highway", "motorway")]).unwrap().direction, Direction::Forward, "motorways are one way");
        assert_eq!(way(&[("highway", "primary"), ("oneway", "-1")]).unwrap().direction, Direction::Backward);
        assert_eq!(way(&[("highway", "tertiary"), ("junction", "roundabout")]).unwrap().direction, Direction::Forward);
        let posted = way(&[("highway", "primary"), ("maxspeed", "45 mph")]).unwrap();
        assert!((posted.speed_kmh as f64 - 45.0 * 1.609_344 * 0.8).abs() < 1e-3);
        assert_eq!(way(&[("highway", "secondary"), ("maxspeed", "signals")]).unwrap().speed_kmh, 55.0);
        for refused in [
            vec![("highway", "footway")],
            vec![("highway", "residential"), ("access", "private")],
            vec![("highway", "service"), ("service", "parking_aisle")],
            vec![("highway", "track"), ("motor_vehicle", "no")],
            vec![("building", "yes")],
        ] {
            assert_eq!(way(&refused), None, "{refused:?}");
        }
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert_eq!(parse_maxspeed("none"), None);
    }
}
