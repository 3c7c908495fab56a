#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_shared_policy
short_description: Manage Teams Shared Calling routing policies
version_added: 0.1.0
description:
  - Creates, updates or deletes a Shared Calling routing policy (C(TeamsSharedCallingRoutingPolicy)). The policy
    names the resource account whose number Shared Calling users call out with, and the emergency callback numbers.
  - Before writing, checks what the Teams service would refuse, and the common mistakes of Shared Calling
    rollouts, each with the fix in the message.
  - The resource account must exist and hold exactly one number, and that number must have an emergency
    location (without one, Teams admin center greys out Save).
  - Every emergency number must have the same number type and country as the resource account's number, be
    assigned to no user or resource account, and be in no other Shared Calling policy. Calling Plan and Operator
    Connect emergency numbers must be numbers the tenant holds.
  - With a Calling Plan service number, emergency numbers must be Calling Plan subscriber numbers, a toll-free
    service number needs at least one, and the resource account needs a Pay-As-You-Go Calling Plan licence and a
    Communications Credits licence. Whether the credits are funded cannot be read, so the module warns about it.
  - With a Direct Routing number, the resource account needs an online voice routing policy with PSTN usages.
    This follows Microsoft's Shared Calling setup. Some guides (the seed article's mistake 3) ask for a
    policy with PSTN usages on the Shared Calling users instead. Microsoft says the opposite for users, who
    need one without PSTN usages. See M(dialtone.teams_phone.teams_user_voice).
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  name:
    description:
      - Name of the policy, with or without the C(Tag:) prefix. V(Global) is the tenant's default instance. It can be
        changed but never deleted.
    type: str
    required: true
  resource_account:
    description:
      - The resource account whose number Shared Calling users call out with, by UPN or object ID.
      - Required with O(state=present).
    type: str
  emergency_numbers:
    description:
      - Emergency callback numbers, in E.164 (spaces, dashes, dots and parentheses are ignored; no extension).
      - The order does not matter. Leave the option out to keep the numbers as they are; V([]) removes them all
        (with O(purge_emergency_numbers=true)).
      - Without emergency numbers, the resource account's number is the callback number.
    type: list
    elements: str
  purge_emergency_numbers:
    description:
      - With V(true), O(emergency_numbers) is the whole list and other numbers are removed.
      - With V(false), the numbers given are added and the others kept.
    type: bool
    default: true
  description:
    description: Description of the policy. Left as it is when not given.
    type: str
  check_prerequisites:
    description:
      - In check mode, V(false) compares the policy with the tenant without first checking what it needs (the
        resource account's one number, its emergency location, the emergency numbers' type and country, the
        licences and, for Direct Routing, the account's voice routing policy). A compliance run uses it so that a
        drift of the number is reported on the number, and the policy's own drift still on the policy.
      - Ignored outside check mode, where a write always checks first.
    type: bool
    default: true
  state:
    description: Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), a policy still granted to users or groups is refused unless O(force=true).
        V(true) first removes the grants (the users fall back to a group's policy or to Global), then deletes
        the policy.
    type: bool
    default: false
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads, checks and predicts; writes nothing, with O(state=absent) too.
  diff_mode:
    support: full
  platform:
    platforms: posix
notes:
  - Reads the policy, the resource account (Graph and the Teams admin API), and its number and the emergency
    numbers in one filtered number inventory read. Reads the licences for a Calling Plan number, and the
    resource account's voice routing policy for a Direct Routing number.
  - The policy's identity is C(Tag:NAME) on the service; the resource account is stored by object ID and compared
    without regard to case.
  - Emergency numbers are stored on the service as a complete list. While a number is listed, the number service
    shows it as C(policyAssigned), and it cannot be assigned, released or deleted.
  - O(state=absent) looks for the grants in every user's Teams configuration (in bulk), the Teams view of each
    resource account, and the group grants.
seealso:
  - module: dialtone.teams_phone.teams_resource_account
  - module: dialtone.teams_phone.teams_phone_number
  - module: dialtone.teams_phone.teams_user_voice
  - module: dialtone.teams_phone.teams_voice_routing_policy
'''

EXAMPLES = r'''
# The connection (tenant_id, client_id, client_secret) comes from
# module_defaults for group/dialtone.teams_phone.teams, or from AZURE_*.

- name: A Shared Calling policy for the Seattle main line, with two emergency callback numbers
  dialtone.teams_phone.teams_shared_policy:
    name: Seattle
    resource_account: sc-dr@contoso.com
    emergency_numbers: ["+1 425 555 0110", "+14255550111"]
    description: Seattle main line
  register: seattle

- name: Add an emergency callback number and keep the others
  dialtone.teams_phone.teams_shared_policy:
    name: Seattle
    resource_account: sc-dr@contoso.com
    emergency_numbers: ["+14255550112"]
    purge_emergency_numbers: false

- name: Delete a policy that users and groups still hold, removing their grants first
  dialtone.teams_phone.teams_shared_policy:
    name: Granted
    state: absent
    force: true
'''

RETURN = r'''
created:
  description:
    - Whether the policy did not exist and was created (in check mode, would be). Lets a play in check mode
      tell that steps which need the policy cannot be checked yet.
  returned: when O(state=present)
  type: bool
  sample: false
policy:
  description:
    - The policy as the service returns it after the change; what it would be in check mode; V({}) when absent.
  returned: always
  type: dict
  contains:
    Identity: {description: The identity of the policy., type: str, sample: "Tag:Seattle"}
    Description: {description: Description., type: str, sample: Seattle main line}
    ResourceAccount: {description: Object ID of the resource account., type: str, sample: 5f3b6c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f}
    EmergencyNumbers:
      description: Emergency callback numbers, in E.164.
      type: list
      elements: str
      sample: ["+14255550110", "+14255550111"]
removed_grants:
  description:
    - With O(force=true) and O(state=absent), who held the policy. C(users) lists accounts with
      C(id), C(userPrincipalName) and C(assignmentType). The C(direct) grants are removed; C(group) means
      the policy reached the account through a group. C(groups) lists the group grants removed,
      with C(GroupId) and C(Rank).
  returned: when a policy still granted is deleted (or would be, in check mode)
  type: dict
'''
