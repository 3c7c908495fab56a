#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_phone_number
short_description: Assign a Teams phone number to a user or resource account, with its emergency location
version_added: 0.1.0
description:
  - Assigns a telephone number to a user or to a resource account (the shared number of a Shared Calling
    policy), sets its emergency location, or releases it, through the Microsoft Graph telephone number API
    (C(assignNumber), C(updateNumber), C(unassignNumber)).
  - Assignments are asynchronous; the module waits for the operation until O(wait_timeout) and fails with the
    operation ID when it has not finished. A resource account created moments before is retried until the
    number service finds it.
  - When only the emergency location differs, only the location is updated; the number is not reassigned.
  - Every rule the number service enforces is checked before the first write, so a refused task changes
    nothing. The task fails when the number is held by someone else (unless O(reassign=true)); when a Calling
    Plan or Operator Connect number is not in the tenant's inventory, or its capabilities do not fit the
    target (C(userAssignment) for users, C(voiceApplicationAssignment) for resource accounts); when the target
    lacks its licence (Teams Phone for a user; the Teams Phone Resource Account licence for a resource account,
    the seed article's mistake 4; a Calling Plan as well for a Calling Plan number); when the target already
    holds another number; and when the number is an emergency number of a Shared Calling policy.
  - Giving a personal number to a user who has a Shared Calling policy succeeds with a warning, because the personal
    number takes precedence and the user no longer calls through Shared Calling (the seed article's mistake 2).
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  number:
    description:
      - The telephone number in E.164 form. Spaces, dashes, dots, parentheses and a C(tel:) prefix are
        accepted, so C(+1 (425) 555-0100) and C(tel:+14255550100) both mean C(+14255550100).
      - A Direct Routing number may carry an extension, C(+14255550100;ext=123).
      - Quote it in YAML. Unquoted, C(+14255550100) is read as an integer and loses its C(+).
    type: str
    required: true
  number_type:
    description:
      - The kind of number. When not set it is taken from the tenant's inventory.
      - Required for a Direct Routing number that is not in the inventory yet (V(direct_routing)); Calling Plan
        and Operator Connect numbers must be in the inventory.
      - A value that contradicts the inventory fails the task.
    type: str
    choices: [direct_routing, calling_plan, operator_connect]
  assigned_to:
    description:
      - The user or resource account that must hold the number, by UPN or object ID. Required with
        O(state=present).
      - With O(state=absent), release the number only if this account holds it.
    type: str
  assignment_category:
    description:
      - C(primary), C(private) (inbound only) or C(alternate). New assignments default to C(primary).
      - Changing the category of an existing assignment releases and reassigns the number.
    type: str
    choices: [primary, private, alternate]
  location_id:
    description:
      - ID of the emergency location to give the number.
      - Mutually exclusive with O(emergency_location).
    type: str
  emergency_location:
    description:
      - The emergency location, found by its civic address instead of its ID. Every field given must match
        (case-insensitively) one location of the tenant; no match or several fail the task with the candidates.
      - Without O(emergency_location.location) the address's default location is meant.
      - Mutually exclusive with O(location_id).
    type: dict
    suboptions:
      description: {description: "Description of the civic address, for example C(Contoso HQ).", type: str}
      company_name: {description: Company name of the address., type: str}
      house_number: {description: House number., type: str}
      street_name: {description: Street name., type: str}
      city: {description: City or town., type: str}
      state_or_province: {description: State or province., type: str}
      postal_code: {description: Postal or ZIP code., type: str}
      country: {description: Two-letter country code., type: str}
      location: {description: "A named location under the address, for example C(Floor 3).", type: str}
  state:
    description:
      - V(present) assigns the number to O(assigned_to); V(absent) releases it (the number stays in the tenant).
    type: str
    choices: [present, absent]
    default: present
  reassign:
    description:
      - Move the number when someone else holds it. Without it such a task fails naming the holder.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the number operation, and for a new resource account or a new licence to reach
        the number service.
    type: int
    default: 300
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads and checks everything and reports what would change; starts no operation.
  diff_mode:
    support: full
    details: Before and after of C(telephoneNumber), C(numberType), C(assignmentTargetId), C(assignmentCategory) and C(locationId).
  platform:
    platforms: posix
notes:
  - Needs the Graph application permissions C(TeamsTelephoneNumber.ReadWrite.All), C(User.Read.All),
    C(Organization.Read.All) and C(TeamsUserConfiguration.Read.All), and the Teams Administrator role (resource
    accounts and emergency locations are read through the Teams admin API).
  - A Shared Calling policy needs its resource account's number to have an emergency location (the seed
    article's mistake 1), so set O(location_id) or O(emergency_location) on that number.
  - Do not give Shared Calling users a personal number. For Direct Routing, Microsoft requires the resource
    account to have an online voice routing policy with PSTN usages and the Shared Calling users one without;
    the seed article says otherwise, this collection follows Microsoft.
seealso:
  - module: dialtone.teams_phone.teams_resource_account
'''

EXAMPLES = r'''
- name: Give Lee a Direct Routing number, at the Contoso HQ emergency address
  dialtone.teams_phone.teams_phone_number:
    number: +1 (425) 555-0102
    number_type: direct_routing
    assigned_to: lee@contoso.com
    emergency_location:
      description: Contoso HQ

- name: Move a number from Adele to Bianca
  dialtone.teams_phone.teams_phone_number:
    number: tel:+14255550101
    assigned_to: bianca@contoso.com
    reassign: true

- name: Change only the emergency location (no reassignment)
  dialtone.teams_phone.teams_phone_number:
    number: "+14255550101"
    assigned_to: bianca@contoso.com
    location_id: 9a7b5c3d-1e2f-4a6b-8c0d-e2f4a6b8c0d1

- name: A resource account for the Seattle main line
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-seattle@contoso.com
    display_name: Seattle Main Line
    usage_location: US

- name: Its shared number, with the emergency location a Shared Calling policy requires
  dialtone.teams_phone.teams_phone_number:
    number: "+14255550103"
    number_type: direct_routing
    assigned_to: mainline-seattle@contoso.com
    emergency_location:
      description: Contoso HQ
  register: shared

- name: Release Lee's number
  dialtone.teams_phone.teams_phone_number:
    number: "+14255550102"
    state: absent
'''

RETURN = r'''
number:
  description:
    - The number assignment as the service returns it after the change (in check mode, what it would be);
      null when the number is not in the tenant.
  returned: always
  type: dict
  contains:
    telephoneNumber: {description: The number in E.164., type: str, sample: "+14255550105"}
    numberType: {description: "C(directRouting), C(callingPlan) or C(operatorConnect).", type: str, sample: directRouting}
    assignmentTargetId: {description: "Object ID of the holder, or null.", type: str}
    assignmentCategory: {description: "C(primary), C(private) or C(alternate).", type: str, sample: primary}
    assignmentStatus:
      description: C(unassigned), C(userAssigned), C(voiceApplicationAssigned), C(policyAssigned), ...
      type: str
      sample: voiceApplicationAssigned
    activationState: {description: C(activated) or a pending state., type: str, sample: activated}
    locationId: {description: "Emergency location ID, or null.", type: str}
    civicAddressId: {description: "Civic address of the location, or null.", type: str}
    capabilities: {description: What the number may be assigned to., type: list, elements: str}
    isoCountryCode: {description: Country of the number (often null for Direct Routing)., type: str}
'''
