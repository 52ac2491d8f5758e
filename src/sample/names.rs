//! Word lists for synthetic account names.

use rand::Rng;

pub const INDUSTRIES: [&str; 8] = [
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Financial Services",
    "Education",
    "Technology",
    "Logistics",
    "Public Sector",
];

const PREFIXES: [&str; 24] = [
    "Keystone", "Liberty", "Summit", "Riverside", "Allegheny", "Harbor", "Chesapeake", "Delaware Valley",
    "Blue Ridge", "Pinnacle", "Heritage", "Commonwealth", "Patriot", "Garden State", "Brandywine", "Susquehanna",
    "Lakeside", "Northstar", "Meridian", "Crescent", "Evergreen", "Atlantic", "Union", "Franklin",
];

fn nouns(industry: &str) -> &'static [&'static str] {
    match industry {
        "Healthcare" => &["Medical Group", "Health System", "Family Clinic", "Orthopedics", "Dental Partners", "Care Center"],
        "Manufacturing" => &["Fabrication", "Tool & Die", "Plastics", "Machine Works", "Steel Products", "Components"],
        "Retail" => &["Outfitters", "Home Goods", "Market", "Furniture", "Supply Co.", "Pharmacy"],
        "Financial Services" => &["Credit Union", "Savings Bank", "Insurance Agency", "Wealth Advisors", "Capital"],
        "Education" => &["Academy", "School District", "College", "Learning Center", "Institute"],
        "Technology" => &["Software", "Data Systems", "Networks", "Labs", "Digital"],
        "Logistics" => &["Freight", "Distribution", "Logistics", "Transport", "Warehousing"],
        _ => &["Township", "Water Authority", "County Services", "Transit Authority", "Library System"],
    }
}

pub fn account_name(industry: &str, city: &str, rng: &mut impl Rng) -> String {
    let noun_list = nouns(industry);
    let noun = noun_list[rng.gen_range(0..noun_list.len())];
    if !city.is_empty() && rng.gen_bool(0.35) {
        format!("{city} {noun}")
    } else {
        format!("{} {noun}", PREFIXES[rng.gen_range(0..PREFIXES.len())])
    }
}
