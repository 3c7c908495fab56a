#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_tenant_info
short_description: Read what a Shared Calling rollout needs to know about a Microsoft 365 tenant
version_added: 0.1.0
description:
  - Reads, without changing anything, the tenant's identity and verified domains, its licence pools with
    their free units, a summary of its telephone number inventory by number type and country, and its
    emergency addresses with their locations.
  - Run it first in a rollout to check that there are enough Teams Phone and Teams Phone Resource Account
    licences, that the numbers exist, and that resource account UPNs use a verified domain.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  gather:
    description:
      - Which parts to read. V(all) reads every part.
      - V(tenant) reads C(GET /v1.0/organization) (Graph permission C(Organization.Read.All)).
      - V(licenses) reads C(GET /v1.0/subscribedSkus) (C(Organization.Read.All)).
      - V(numbers) reads every number assignment (C(TeamsTelephoneNumber.Read.All)), 1000 per request.
      - V(locations) reads the emergency locations from the Teams admin API (Teams Administrator role).
      - V(api) is a read-only probe of the services against this collection, not included in V(all). It
        decodes the sign-in tokens' claims and compares the app's Graph permissions and directory role with
        what each module needs, then sends every read request of the route table (see C(docs/wire.md)) once
        and checks each answer has the shape the modules read. It reports route by route - V(ok),
        V(differs) (with the key missing or the unexpected shape), V(forbidden), V(not found) or V(error) -
        and never writes. C(playbooks/verify.yml) runs it.
    type: list
    elements: str
    choices: [all, tenant, licenses, numbers, locations, api]
    default: [all]
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; runs normally in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - A read that fails fails the task; nothing is ever reported as empty because it could not be read.
seealso:
  - module: dialtone.teams_phone.teams_resource_account
'''

EXAMPLES = r'''
- name: Check licence pools before a rollout
  dialtone.teams_phone.teams_tenant_info:
    tenant_id: "{{ teams_tenant_id }}"
    client_id: "{{ teams_client_id }}"
    client_secret: "{{ vault_teams_client_secret }}"
    gather: [licenses]
  register: tenant

- name: Fail early when there are not enough resource account licences
  ansible.builtin.assert:
    that:
      - (tenant.licenses | selectattr('skuPartNumber', 'equalto', 'PHONESYSTEM_VIRTUALUSER') | first).freeUnits >= 3
    fail_msg: Three sites need three Teams Phone Resource Account licences.

- name: Everything, with the connection taken from module_defaults
  dialtone.teams_phone.teams_tenant_info:
  register: tenant
'''

RETURN = r'''
api:
  description: The read-only probe's report (O(gather=api)).
  returned: when gathered
  type: dict
  contains:
    permissions:
      description: >-
        C(graph_roles) (the Graph application permissions of the token), C(teams_administrator) (true when the
        Teams token lists the Teams Administrator or Global Administrator role, null when it lists no role),
        and C(modules), one entry per module with C(ok), C(missing) and C(missing_optional) permissions.
      type: dict
    routes:
      description: One entry per read route - C(route) (method and path sent), C(result) (ok, differs, forbidden,
        not found or error), C(status), C(grade) (evidence grade of the route) and C(detail).
      type: list
      elements: dict
    summary:
      description: How many routes had each result.
      type: dict
      sample: {ok: 12}
tenant:
  description: The tenant's identity.
  returned: when gathered
  type: dict
  contains:
    id: {description: Tenant ID., type: str, sample: 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b}
    displayName: {description: Organization name., type: str, sample: Contoso}
    verifiedDomains:
      description: Verified domains, as Graph returns them (C(name), C(isDefault), C(isInitial), C(type)).
      type: list
      elements: dict
licenses:
  description: Subscribed SKUs as Graph returns them, each with an added C(freeUnits).
  returned: when gathered
  type: list
  elements: dict
  contains:
    skuId: {description: SKU ID., type: str, sample: 440eaaa8-b3e0-484b-a8be-62870b9ba70a}
    skuPartNumber: {description: SKU part number., type: str, sample: PHONESYSTEM_VIRTUALUSER}
    consumedUnits: {description: Units assigned., type: int, sample: 3}
    prepaidUnits: {description: "Units bought, by state (C(enabled), C(suspended), C(warning), C(lockedOut)).", type: dict}
    freeUnits: {description: "C(prepaidUnits.enabled) minus C(consumedUnits), never below 0.", type: int, sample: 22}
    servicePlans: {description: Service plans of the SKU., type: list, elements: dict}
numbers:
  description: Telephone number inventory counts.
  returned: when gathered
  type: dict
  contains:
    total: {description: Numbers in the tenant., type: int, sample: 12}
    by_type:
      description: Per C(numberType) (C(directRouting), C(callingPlan), C(operatorConnect)), C(total), C(assigned) and C(unassigned).
      type: dict
      sample: {"callingPlan": {"total": 5, "assigned": 2, "unassigned": 3}}
    by_country:
      description: The same counts per C(isoCountryCode); C(unknown) where the service gives none (often Direct Routing).
      type: dict
emergency_addresses:
  description: Civic addresses with their locations, sorted by description.
  returned: when gathered
  type: list
  elements: dict
  contains:
    civicAddressId: {description: Civic address ID., type: str}
    defaultLocationId: {description: "ID of the address's default location, the one to give a number when no named location is wanted.", type: str}
    description: {description: Description of the address., type: str, sample: Contoso HQ}
    locations:
      description: Locations under the address (C(id), C(location), C(isDefault), C(elin)).
      type: list
      elements: dict
'''
