//! The products SCC offers and the roles every organization starts with.

use std::collections::BTreeSet;

use crate::ids::IdGen;
use crate::model::{Entitlement, Product, Region, RegionCode, Role, RoleType, State};

/// The product line-up of the reference: name, SKU, SKU name, allowed regions. The SKUs other than
/// `E3S-AIDEF-ADV` and `CPT-SEC-ADV` (seen in the reference) are invented for the emulator.
const CATALOG: &[(&str, &str, &str, &[RegionCode])] = &[
    (
        "AI Defense",
        "E3S-AIDEF-ADV",
        "AI Defense Advantage",
        &[RegionCode::Nam, RegionCode::Emea],
    ),
    (
        "Secure Access",
        "CPT-SEC-ADV",
        "Secure Access Advantage",
        &[RegionCode::Global],
    ),
    (
        "Multicloud Defense",
        "MCD-SAAS-ADV",
        "Multicloud Defense Advantage",
        &[RegionCode::Nam, RegionCode::Emea, RegionCode::Apjc],
    ),
    (
        "Security Cloud Control Firewall Management",
        "SCC-FWM-ESS",
        "Firewall Management Essentials",
        &[RegionCode::Nam, RegionCode::Emea, RegionCode::Apjc],
    ),
    (
        "Secure Workload",
        "CSW-SAAS-ADV",
        "Secure Workload SaaS Advantage",
        &[RegionCode::Us, RegionCode::Emea, RegionCode::Apjc],
    ),
];

/// The product name of the platform's own roles.
pub(crate) const PLATFORM_PRODUCT: &str = "Security Cloud Control";
pub(crate) const ADMIN_ROLE: &str = "Organization Administrator";
pub(crate) const MEMBER_ROLE: &str = "Organization Member";

/// The catalog's products, with fresh ids.
pub(crate) fn products(ids: &mut IdGen) -> Vec<Product> {
    CATALOG
        .iter()
        .map(|(name, sku, sku_name, regions)| Product {
            id: ids.uuid(),
            name: (*name).into(),
            entitlements: vec![Entitlement {
                id: (*sku).into(),
                name: (*sku_name).into(),
                quantity: 10,
            }],
            allowed_regions: regions
                .iter()
                .map(|code| Region {
                    code: *code,
                    description: code.description().into(),
                })
                .collect(),
        })
        .collect()
}

/// Creates the built-in roles every organization starts with.
pub(crate) fn create_default_roles(state: &mut State, org_id: &str) {
    let mut roles: Vec<(String, RoleType, Vec<String>)> = vec![
        (ADMIN_ROLE.into(), RoleType::Static, vec![PLATFORM_PRODUCT.into()]),
        (MEMBER_ROLE.into(), RoleType::Static, vec![PLATFORM_PRODUCT.into()]),
    ];
    for (product, ..) in CATALOG {
        roles.push(("Administrator".into(), RoleType::Static, vec![(*product).into()]));
        roles.push(("Read Only".into(), RoleType::Static, vec![(*product).into()]));
    }
    roles.push((
        "Security Operations Bundle".into(),
        RoleType::Bundled,
        vec![PLATFORM_PRODUCT.into(), "Secure Access".into(), CATALOG[3].0.into()],
    ));
    roles.push(("Help Desk".into(), RoleType::Custom, vec![PLATFORM_PRODUCT.into()]));
    for (display_name, role_type, products) in roles {
        let id = state.ids.uuid();
        let seq = state.next_seq();
        state.roles.insert(
            id.clone(),
            Role {
                id,
                org_id: org_id.to_owned(),
                display_name,
                role_type,
                products,
                users: BTreeSet::new(),
                groups: BTreeSet::new(),
                seq,
            },
        );
    }
}
