//! The objects of the domain (see docs/domain.md): units, accounts, reps, territories.

use super::ids::{AccountId, RepId, TerritoryId, UnitId};
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A longitude/latitude pair in WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }
}

/// A geographic building block, normally a ZIP code (ZCTA) polygon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    /// The code planners know the unit by, e.g. the 5-digit ZIP.
    pub code: String,
    pub name: String,
    #[serde(with = "super::geometry_serde")]
    pub geometry: MultiPolygon<f64>,
    /// A point inside the unit used for labels, lasso tests and distances.
    pub centroid: LonLat,
    /// Geodesic area in square kilometres.
    pub area_km2: f64,
    #[serde(default)]
    pub attributes: BTreeMap<String, f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Strategic,
    MidMarket,
    Smb,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Strategic, Tier::MidMarket, Tier::Smb];

    pub fn label(self) -> &'static str {
        match self {
            Tier::Strategic => "Strategic",
            Tier::MidMarket => "Mid-market",
            Tier::Smb => "SMB",
        }
    }
}

/// A customer or prospect from the CRM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    /// The id the CRM knows the account by.
    pub external_id: String,
    pub name: String,
    pub location: LonLat,
    /// The unit the account falls in (point in polygon), if any.
    pub unit: Option<UnitId>,
    /// Annual revenue potential.
    pub potential: f64,
    /// Current annual recurring revenue.
    pub revenue: f64,
    pub tier: Tier,
    pub visits_per_year: f64,
    pub industry: String,
    /// The rep that owns the account in the CRM today.
    pub owner: Option<RepId>,
    /// Relationship strength with the current owner, 0 (none) to 1 (strong).
    pub relationship: f64,
    /// Named accounts belong to a rep regardless of geography.
    #[serde(default)]
    pub named: bool,
    #[serde(default)]
    pub attributes: BTreeMap<String, f64>,
    /// Whether the account was contacted in the period the CRM export covers (`None`:
    /// the file has no activity column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted: Option<bool>,
    /// Open pipeline (`None`: the file has no pipeline column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepRole {
    Hunter,
    Farmer,
}

/// A seller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    pub id: RepId,
    pub name: String,
    pub home: LonLat,
    /// Yearly selling hours (about 1,500 of 2,000 working hours).
    pub capacity_hours: f64,
    /// Senior 1.5, junior 1.0 by default.
    pub experience: f64,
    pub role: RepRole,
    /// The region the reps file puts the rep in; the rep's territory starts there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A named, coloured set of units, owned by at most one rep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    pub id: TerritoryId,
    pub name: String,
    pub color: Rgb,
    pub rep: Option<RepId>,
    #[serde(default)]
    pub locked: bool,
    /// The sales region the territory belongs to (a level above territories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}
