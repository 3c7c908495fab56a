#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_emergency_call_routing_policy
short_description: Manage Teams emergency call routing policies
version_added: 0.1.0
description:
  - Creates, updates or deletes a Teams emergency call routing policy (C(TeamsEmergencyCallRoutingPolicy)), that
    is its emergency numbers (dial string, dial mask, PSTN usage), enhanced emergency services and description.
  - "Every Shared Calling user needs an emergency call routing policy (Microsoft, Set up Shared Calling). Which
    one depends on the resource account's number: with a Calling Plan or Operator Connect number, the policy's
    emergency numbers must have B(no) PSTN usage; with a Direct Routing number they B(must) have one, whose
    routes reach the emergency services. Network-site-assigned emergency call routing policies cannot be used
    when Calling Plan or Operator Connect Shared Calling and Direct Routing coexist in a tenant."
  - Every PSTN usage an emergency number names must exist in the tenant's usage list (the Global
    C(OnlinePstnUsages) instance). A missing usage is refused before anything is written, unless
    O(create_usages=true) adds it.
  - With O(state=absent), a policy that is still granted is not removed; the message names the holders.
    O(force=true) removes those grants first.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  name:
    description:
      - Name of the policy, with or without the C(Tag:) prefix.
      - V(Global) is the tenant's default policy. It can be changed but never deleted.
    type: str
    required: true
  description:
    description:
      - Description of the policy. Left as it is when not set.
    type: str
  emergency_numbers:
    description:
      - The emergency numbers of the policy, in order; a different order is a change.
      - V([]) removes them all. Left as they are when not set.
      - Sent as C(EmergencyNumbers) entries C({EmergencyDialString, EmergencyDialMask, OnlinePSTNUsage}), with an
        empty string for a field that is not set.
    type: list
    elements: dict
    suboptions:
      dial_string:
        description:
          - The emergency number dialled, such as V(911), V(112) or V(999). Digits, C(*), C(#) and C(+) only.
          - Each dial string appears once in the list.
        type: str
        required: true
      dial_mask:
        description:
          - Numbers that are translated to O(emergency_numbers[].dial_string) when dialled, separated by C(;), such
            as V(9911;112).
        type: str
      pstn_usage:
        description:
          - The PSTN usage whose routes carry the call. Required in practice for Direct Routing Shared Calling, and
            left out for Calling Plan and Operator Connect Shared Calling.
        type: str
  enhanced_emergency_services:
    description:
      - Enables enhanced emergency services (C(AllowEnhancedEmergencyServices)), which sends the caller's location
        with the call. Left as it is when not set.
    type: bool
  create_usages:
    description:
      - With V(true), PSTN usages named by O(emergency_numbers) that the tenant does not have are added to its usage
        list before the policy is written. With V(false), a missing usage is refused.
      - Only adds usages; it never removes one from the tenant's list.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), remove the policy even while it is granted; its direct grants (and any group grants)
        are removed first, and those accounts fall back to the Global policy.
      - Without it, a granted policy is refused.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the policy; V(absent) deletes it.
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
    details: Reads only; predicts the policy, the usage list and the grants that O(force) would remove.
  diff_mode:
    support: full
    details:
      - The policy before and after. When O(create_usages) adds usages, a second entry shows the tenant's usage
        list before and after.
  platform:
    platforms: posix
notes:
  - "Refusals, each checked before anything is written:
    a usage the tenant does not have (C(PSTN usage 'X' is not found in OnlinePstnUsages; set create_usages: true
    to add it, or use one of the tenant's usages (...));
    removing a policy that is still granted (C(emergency call routing policy 'X' is still granted to 2 accounts
    (...); remove those grants first, or set force: true to remove them with the policy));
    removing the Global policy (C(the Global emergency call routing policy cannot be removed; set its
    emergency_numbers instead))."
  - Teams does not support granting emergency call routing policies to groups; grant them to each user (see
    M(dialtone.teams_phone.teams_user_voice)) or by network site.
  - Who holds a policy is read from the users' effective policies (Graph C(userConfigurations)), the resource
    accounts' effective policies (Teams admin API) and the group grants. A grant made in the last minute or so may
    not show yet (grants take effect asynchronously).
seealso:
  - module: dialtone.teams_phone.teams_voice_routing_policy
  - module: dialtone.teams_phone.teams_emergency_location
  - module: dialtone.teams_phone.teams_user_voice
  - name: Microsoft Learn - Set up Shared Calling
    description: Emergency call routing policy requirements for Shared Calling users.
    link: https://learn.microsoft.com/microsoftteams/shared-calling-setup
'''

EXAMPLES = r'''
- name: Direct Routing Shared Calling - the emergency numbers carry a PSTN usage
  dialtone.teams_phone.teams_emergency_call_routing_policy:
    name: SC-DR-Emergency
    description: Shared Calling users behind a Direct Routing resource account
    enhanced_emergency_services: true
    emergency_numbers:
      - dial_string: "911"
        dial_mask: "9911"
        pstn_usage: National
      - dial_string: "933"
        pstn_usage: National

- name: Calling Plan or Operator Connect Shared Calling - no PSTN usage
  dialtone.teams_phone.teams_emergency_call_routing_policy:
    name: SC-CP-Emergency
    description: Shared Calling users behind a Calling Plan resource account
    emergency_numbers:
      - dial_string: "911"

- name: A usage of its own for emergency calls, added with the policy
  dialtone.teams_phone.teams_emergency_call_routing_policy:
    name: SC-DR-Tacoma-Emergency
    emergency_numbers:
      - {dial_string: "911", pstn_usage: Emergency-Tacoma}
    create_usages: true

- name: Remove a policy, and the grants that still hold it
  dialtone.teams_phone.teams_emergency_call_routing_policy:
    name: SC-DR-Tacoma-Emergency
    state: absent
    force: true
'''

RETURN = r'''
policy:
  description:
    - The policy as the service returns it after the change (predicted in check mode), under the service's field
      names, each emergency number with all three fields. V(null) with O(state=absent).
  returned: always
  type: dict
  contains:
    Identity: {description: "C(Tag:) and the name, or C(Global).", type: str, sample: "Tag:SC-DR-Emergency"}
    Description: {description: Description., type: str}
    AllowEnhancedEmergencyServices: {description: Enhanced emergency services., type: bool, sample: true}
    EmergencyNumbers:
      description: Emergency numbers in order.
      type: list
      elements: dict
      sample: [{"EmergencyDialString": "911", "EmergencyDialMask": "9911", "OnlinePSTNUsage": "National"}]
removed_grants:
  description:
    - With O(state=absent), who held the policy when it was removed (predicted in check mode); V(null) when no one
      did.
  returned: when O(state=absent) removes a policy
  type: dict
  contains:
    users:
      description: Users and resource accounts whose effective policy it was (C(id), C(userPrincipalName), C(assignmentType)).
      type: list
      elements: dict
    groups:
      description: Group grants of the policy (C(GroupId), C(Rank)).
      type: list
      elements: dict
'''
