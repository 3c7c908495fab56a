#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_emergency_location
short_description: Manage Teams emergency addresses and their locations
version_added: 0.1.0
description:
  - Creates, updates or deletes an emergency (civic) address of the Teams Location Information Service and the
    named locations under it, and returns the address ID, its default location ID and each location's ID.
  - A Shared Calling policy cannot be saved until the resource account's number has an emergency location (the
    seed article's step 4 and mistake 1). This module makes the address and the location; give the number the
    returned C(defaultLocationId) (or a named location's C(id)) with M(dialtone.teams_phone.teams_phone_number).
  - The address is found by O(description) (case-insensitively), or, when no description is given, by the address
    fields that are given (house number, street, city, state, postal code, country; all must match,
    case-insensitively). More than one match is refused.
  - Creating an address also creates its default location, which has no name. Named locations (a floor, a wing)
    are managed with O(locations).
  - "Checked before anything is written, as the service would refuse it: an address Microsoft has validated
    cannot be updated (C(Unable to update a validated Civic Address)); create a new address with another
    description instead, and move the numbers to it. An address or location that numbers use cannot be deleted."
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  description:
    description:
      - Description of the address, the name it is found by, such as V(Seattle Office). Compared case-insensitively.
      - When not given, the address is found by its address fields instead.
    type: str
  company_name:
    description:
      - Company name on the address. Required to create an address.
    type: str
  company_id:
    description:
      - Company ID (some countries' emergency services use it).
    type: str
  house_number:
    description:
      - House number, such as V(1000). Quote it in YAML so that it stays text.
    type: str
  house_number_suffix:
    description:
      - House number suffix, such as V(A).
    type: str
  pre_directional:
    description:
      - Directional before the street name, such as V(NE).
    type: str
  street_name:
    description:
      - Street name without its suffix, such as V(Olive).
    type: str
  street_suffix:
    description:
      - Street suffix, such as V(Way) or V(Street).
    type: str
  post_directional:
    description:
      - Directional after the street name, such as V(SW).
    type: str
  city:
    description:
      - City or town (C(cityOrTown)).
    type: str
  city_alias:
    description:
      - Alternative city name (C(cityOrTownAlias)).
    type: str
  state_or_province:
    description:
      - State or province, such as V(WA).
    type: str
  county_or_district:
    description:
      - County or district.
      - Accepted but ignored, with a warning; the civic address create and update requests have no county field
        (it is a property of a location), so the value could not be kept.
    type: str
  postal_code:
    description:
      - Postal or ZIP code (C(postalOrZipCode)). Quote it in YAML so that leading zeros stay.
    type: str
  country:
    description:
      - Country, as an ISO 3166-1 alpha-2 code such as V(US), V(GB) or V(AU); either case is accepted and it is
        stored in capitals. Required to create an address.
    type: str
  latitude:
    description:
      - Latitude in decimal degrees, -90 to 90, such as V(47.61). Numbers and text are both accepted; the same
        value written differently (V(47.610)) is no change.
      - Required with O(longitude) to create an address everywhere except in Australia (V(AU)) and Japan (V(JP)),
        as for C(New-CsOnlineLisCivicAddress).
    type: str
  longitude:
    description:
      - Longitude in decimal degrees, -180 to 180, such as V(-122.33). Required together with O(latitude).
    type: str
  elin:
    description:
      - Emergency Location Identification Number of the address (Direct Routing with an ELIN gateway).
    type: str
  locations:
    description:
      - Named locations under the address, matched by name case-insensitively.
      - Locations missing are created; a location whose O(locations[].elin) differs is updated.
      - Other locations are kept unless O(purge_locations=true). Left alone when not set.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the location (the service's C(location) field), such as V(Floor 3). Unique within the address.
        type: str
        required: true
      elin:
        description:
          - ELIN of the location. Left as it is when not set; V("") clears it.
        type: str
  purge_locations:
    description:
      - With V(true), named locations of the address that O(locations) does not list are deleted. A location that
        numbers use is refused, naming them. Has no effect when O(locations) is not set.
      - The default location is never deleted; it goes with the address.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the address and its locations.
      - V(absent) deletes the address and all its locations. Refused while numbers use the address or any of its
        locations; the message names the numbers and who they are assigned to.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads only; returns the address as it would be, with V(null) for IDs not yet known.
  diff_mode:
    support: full
    details: The address fields and its named locations (sorted by name), before and after; IDs are left out.
  platform:
    platforms: posix
notes:
  - "Refusals, each checked before anything is written:
    updating a validated address (C(Unable to update a validated Civic Address: emergency address 'X' would
    change streetName; create a new address (with another description) and move its numbers to it instead));
    two addresses with the description (C(2 emergency addresses have the description 'X' (...); give each address
    its own description so that one can be chosen)) or matching the fields given (C(2 emergency addresses match
    '...' (...); give description to choose one));
    creating without company name or country (C(emergency address 'X' does not exist, and creating it needs
    company_name and country)) or without coordinates outside AU and JP (C(creating emergency address 'X' in GB
    needs latitude and longitude (required everywhere except AU and JP); give both));
    deleting an address in use (C(emergency address 'X' is in use by 2 numbers ('+14255550101' of
    'adele@contoso.com', ...); give those numbers another emergency location first));
    purging a location in use (C(location 'Lab' of emergency address 'X' is in use by 1 number (...); give those
    numbers another emergency location first, or keep the location in locations))."
  - Addresses are read from C(GET /Skype.Ncs/locations) (Teams Administrator role); the in-use checks read every
    number assignment from Graph (C(TeamsTelephoneNumber.Read.All)).
  - Outside North America, emergency addresses for Calling Plan numbers must also be lodged with the carrier.
seealso:
  - module: dialtone.teams_phone.teams_phone_number
  - module: dialtone.teams_phone.teams_shared_policy
  - module: dialtone.teams_phone.teams_tenant_info
'''

EXAMPLES = r'''
- name: Emergency address of the Seattle site, with two named locations
  dialtone.teams_phone.teams_emergency_location:
    description: Seattle Office
    company_name: Contoso
    house_number: "1000"
    street_name: Olive
    street_suffix: Way
    city: Seattle
    state_or_province: WA
    postal_code: "98101"
    country: US
    latitude: 47.61
    longitude: -122.33
    locations:
      - name: Floor 3
      - name: Floor 4
        elin: "2065550104"
  register: seattle

- name: The location to give the resource account's number (seed article step 4)
  ansible.builtin.set_fact:
    seattle_location_id: "{{ seattle.emergency_address.defaultLocationId }}"

- name: An address in Australia may leave out its coordinates
  dialtone.teams_phone.teams_emergency_location:
    description: Sydney Office
    company_name: Contoso
    house_number: "10"
    street_name: George
    street_suffix: Street
    city: Sydney
    state_or_province: NSW
    postal_code: "2000"
    country: AU

- name: Keep only Floor 3 at the Seattle site
  dialtone.teams_phone.teams_emergency_location:
    description: Seattle Office
    locations:
      - name: Floor 3
    purge_locations: true

- name: Remove the Sydney address (refused while numbers use it)
  dialtone.teams_phone.teams_emergency_location:
    description: Sydney Office
    state: absent
'''

RETURN = r'''
emergency_address:
  description:
    - The address after the change (predicted in check mode, with V(null) for IDs not yet known), under the
      service's field names. V(null) with O(state=absent).
  returned: always
  type: dict
  contains:
    civicAddressId: {description: ID of the civic address., type: str, sample: 703b30e5-dbdd-4132-9809-4c6160a6acc7}
    defaultLocationId:
      description: ID of the address's default location, the one to give a number when no named location is wanted.
      type: str
      sample: 407c17ae-8c41-431e-894a-38787c682f68
    description: {description: Description., type: str, sample: Seattle Office}
    companyName: {description: Company name., type: str, sample: Contoso}
    companyId: {description: Company ID., type: str}
    houseNumber: {description: House number., type: str, sample: "1000"}
    houseNumberSuffix: {description: House number suffix., type: str}
    preDirectional: {description: Directional before the street name., type: str}
    streetName: {description: Street name., type: str, sample: Olive}
    streetSuffix: {description: Street suffix., type: str, sample: Way}
    postDirectional: {description: Directional after the street name., type: str}
    cityOrTown: {description: City or town., type: str, sample: Seattle}
    cityOrTownAlias: {description: Alternative city name., type: str}
    stateOrProvince: {description: State or province., type: str, sample: WA}
    countyOrDistrict: {description: County or district., type: str}
    postalOrZipCode: {description: Postal or ZIP code., type: str, sample: "98101"}
    country: {description: ISO 3166-1 alpha-2 country code., type: str, sample: US}
    latitude: {description: Latitude as the service stores it., type: str, sample: "47.61"}
    longitude: {description: Longitude as the service stores it., type: str, sample: "-122.33"}
    elin: {description: ELIN of the address., type: str}
    validationStatus:
      description: Whether Microsoft validated the address (C(Validated), C(NotValidated)); a validated address cannot be updated.
      type: str
      sample: Validated
    locations:
      description: The default location and the named ones.
      type: list
      elements: dict
      contains:
        id: {description: Location ID (for a number's emergency location)., type: str}
        location: {description: Name of the location; empty for the default location., type: str, sample: Floor 3}
        isDefault: {description: Whether this is the address's default location., type: bool}
        elin: {description: ELIN of the location., type: str}
'''
