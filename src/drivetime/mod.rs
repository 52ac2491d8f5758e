//! Drive time between a rep's home base and an account.
//!
//! One trait, so that a road-network model (OSM) can stand beside the instant estimate
//! of docs/domain.md: great-circle distance x circuity, the ends of the trip at a speed
//! that depends on how dense the destination area is (urban slower, rural faster), the
//! middle at a speed that rises with the trip's length towards highway speed.

pub mod roads;
pub mod zones;

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
/// An account's density class: its unit's (`densities` by unit index), suburban when it
/// lies in no unit.
pub fn account_density(densities: &[DensityClass], account: &crate::model::entities::Account) -> DensityClass {
    account.unit.and_then(|u| densities.get(u.index()).copied()).unwrap_or(DensityClass::Suburban)
}

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

    /// The density class of every unit of a project, by index.
    pub fn unit_densities(&self, project: &crate::model::project::Project) -> Vec<DensityClass> {
        project.units.iter().map(|u| self.density_of_unit(u.area_km2)).collect()
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

/// Over how many km of the middle of a trip its speed has come halfway from the local
/// speed to the highway speed: a short trip stays on arterials, a long one is mostly
/// interstate (see README, Drive-time estimate, for the calibration).
pub const HIGHWAY_RAMP_KM: f64 = 15.0;

impl DistanceEstimate {
    /// One-way hours over `road_km` of road into an area of `density`: each end
    /// (`local_leg_km`, or half a short trip) at the area's speed, the middle at a
    /// speed between that and the highway speed, weighted by the middle's length
    /// against [`HIGHWAY_RAMP_KM`].
    pub fn hours_for_road_km(&self, road_km: f64, density: DensityClass) -> f64 {
        let local_speed = self.speed_kmh(density);
        if road_km.is_nan() || road_km <= 0.0 || local_speed <= 0.0 {
            return 0.0;
        }
        let local = self.settings.local_leg_km.max(0.0).min(road_km / 2.0);
        let middle = road_km - 2.0 * local;
        let highway = self.settings.highway_speed_kmh.max(local_speed);
        let middle_speed = (highway * middle + local_speed * HIGHWAY_RAMP_KM) / (middle + HIGHWAY_RAMP_KM);
        2.0 * local / local_speed + middle / middle_speed
    }
}

impl DriveTimeModel for DistanceEstimate {
    fn one_way_hours(&self, from: LonLat, to: LonLat, to_density: DensityClass) -> f64 {
        self.hours_for_road_km(self.road_km(from, to), to_density)
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
    fn estimate_drives_the_ends_locally_and_the_middle_faster() {
        let model = DistanceEstimate::new(DriveModelSettings::default());
        let a = LonLat::new(0.0, 0.0);
        let b = LonLat::new(0.0, 1.0);
        // 111.195 km x 1.3 = 144.55 km: 2 x 3 km local, 138.55 km in the middle at
        // (90 x 138.55 + v x 15) / 153.55 km/h.
        let road = 111.195 * 1.3;
        let middle = road - 6.0;
        let hours = |v: f64| 6.0 / v + middle * (middle + 15.0) / (90.0 * middle + v * 15.0);
        let rural = model.one_way_hours(a, b, DensityClass::Rural);
        let urban = model.one_way_hours(a, b, DensityClass::Urban);
        assert!((rural - hours(70.0)).abs() < 1e-3, "{rural}");
        assert!((urban - hours(30.0)).abs() < 1e-3, "{urban}");
        // A short trip is local all the way.
        assert!((model.hours_for_road_km(4.0, DensityClass::Urban) - 4.0 / 30.0).abs() < 1e-12);
        assert_eq!(model.hours_for_road_km(0.0, DensityClass::Urban), 0.0);
        assert_eq!(model.density_of_unit(5.0), DensityClass::Urban);
        assert_eq!(model.density_of_unit(60.0), DensityClass::Suburban);
        assert_eq!(model.density_of_unit(600.0), DensityClass::Rural);
    }

    #[test]
    fn grand_junction_to_downtown_denver_takes_hours_not_half_a_day() {
        // The straight estimate at the urban speed of the destination said 13.6 h; the
        // drive on I-70 is about 3 h 50 min (391 km).
        let model = DistanceEstimate::new(DriveModelSettings::default());
        let grand_junction = LonLat::new(-108.5506, 39.0639);
        let denver = LonLat::new(-104.9903, 39.7392);
        let hours = model.one_way_hours(grand_junction, denver, DensityClass::Urban);
        assert!((3.0..=5.5).contains(&hours), "{hours} h");
        // Across town (8 km of road) stays at city speed: about 16 minutes.
        let minutes = model.hours_for_road_km(8.0, DensityClass::Urban) * 60.0;
        assert!((12.0..=20.0).contains(&minutes), "{minutes} min");
    }
}
