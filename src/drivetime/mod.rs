//! Drive time between a rep's home base and an account.
//!
//! One trait, so that a road-network model (OSM) can stand beside the instant estimate
//! of docs/domain.md: great-circle distance x circuity, at a speed that depends on how
//! dense the destination area is (urban slower, rural faster).

use crate::model::entities::LonLat;
use crate::model::settings::DriveModelSettings;

/// Mean Earth radius (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// How built-up an area is; it sets the travel speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DensityClass {
    Urban,
    Suburban,
    Rural,
}

pub trait DriveTimeModel {
    /// One-way travel time in hours from `from` to `to`, where `to` lies in an area of
    /// the given density.
    fn one_way_hours(&self, from: LonLat, to: LonLat, to_density: DensityClass) -> f64;
}

/// Great-circle (haversine) distance in km.
pub fn great_circle_km(a: LonLat, b: LonLat) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The instant estimate from distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistanceEstimate {
    pub settings: DriveModelSettings,
}

impl DistanceEstimate {
    pub fn new(settings: DriveModelSettings) -> Self {
        Self { settings }
    }

    pub fn density_of_unit(&self, area_km2: f64) -> DensityClass {
        if area_km2 < self.settings.urban_max_unit_km2 {
            DensityClass::Urban
        } else if area_km2 < self.settings.suburban_max_unit_km2 {
            DensityClass::Suburban
        } else {
            DensityClass::Rural
        }
    }

    pub fn speed_kmh(&self, density: DensityClass) -> f64 {
        match density {
            DensityClass::Urban => self.settings.urban_speed_kmh,
            DensityClass::Suburban => self.settings.suburban_speed_kmh,
            DensityClass::Rural => self.settings.rural_speed_kmh,
        }
    }

    /// Road distance estimate in km: great-circle distance x circuity.
    pub fn road_km(&self, from: LonLat, to: LonLat) -> f64 {
        great_circle_km(from, to) * self.settings.circuity
    }
}

impl DriveTimeModel for DistanceEstimate {
    fn one_way_hours(&self, from: LonLat, to: LonLat, to_density: DensityClass) -> f64 {
        let speed = self.speed_kmh(to_density);
        if speed <= 0.0 {
            return 0.0;
        }
        self.road_km(from, to) / speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_between_known_cities() {
        // Philadelphia City Hall to Pittsburgh (Point State Park): about 412 km.
        let phl = LonLat::new(-75.1636, 39.9526);
        let pit = LonLat::new(-80.0110, 40.4417);
        let km = great_circle_km(phl, pit);
        assert!((km - 414.5).abs() < 3.0, "{km}");
        // One degree of latitude is 111.2 km.
        let d = great_circle_km(LonLat::new(0.0, 0.0), LonLat::new(0.0, 1.0));
        assert!((d - 111.195).abs() < 0.01, "{d}");
        assert_eq!(great_circle_km(phl, phl), 0.0);
    }

    #[test]
    fn estimate_uses_circuity_and_density_speed() {
        let model = DistanceEstimate::new(DriveModelSettings::default());
        let a = LonLat::new(0.0, 0.0);
        let b = LonLat::new(0.0, 1.0);
        // 111.195 km x 1.3 = 144.55 km; at 70 km/h rural = 2.065 h; at 30 km/h urban = 4.818 h.
        let rural = model.one_way_hours(a, b, DensityClass::Rural);
        let urban = model.one_way_hours(a, b, DensityClass::Urban);
        assert!((rural - 111.195 * 1.3 / 70.0).abs() < 1e-3, "{rural}");
        assert!((urban - 111.195 * 1.3 / 30.0).abs() < 1e-3, "{urban}");
        assert_eq!(model.density_of_unit(5.0), DensityClass::Urban);
        assert_eq!(model.density_of_unit(60.0), DensityClass::Suburban);
        assert_eq!(model.density_of_unit(600.0), DensityClass::Rural);
    }
}
