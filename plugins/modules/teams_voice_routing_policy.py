#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_voice_routing_policy
short_description: Manage Teams online voice routing policies
version_added: 0.1.0
description:
  - Creates, updates or deletes an online voice routing policy (C(OnlineVoiceRoutingPolicy)), that is its
    ordered PSTN usages and its description.
  - "For Shared Calling, Microsoft's setup guide asks for two different policies: a Direct Routing resource
    account needs a voice routing policy B(with) PSTN usages, so that its number can call out; Shared Calling
    users need one with B(no) PSTN usages whenever the Global policy has usages, because a user whose policy has
    usages does not use Shared Calling. Operator Connect and Calling Plan resource accounts need none."
  - The seed article (step 9, mistake 3) says Shared Calling users need a policy B(with) PSTN usages. That is the
    opposite of Microsoft's guidance. This collection follows Microsoft; grant the usage-free policy to users
    and the one with usages to the Direct Routing resource account.
  - Every PSTN usage the policy names must exist in the tenant's usage list (the Global C(OnlinePstnUsages)
    instance). A missing usage is refused before anything is written, unless O(create_usages=true) adds it.
  - With O(state=absent), a policy that is still granted, directly to users or resource accounts or to groups, is
    not removed; the message names the holders. O(force=true) removes those grants first.
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
  pstn_usages:
    description:
      - The PSTN usages of the policy, in order. The order matters (Teams tries the usages' routes in this order)
        and a different order is a change.
      - V([]) gives a policy without usages, which is what Shared Calling users need.
      - Left as they are when not set.
      - Usage names are compared exactly, as the service compares them.
    type: list
    elements: str
  create_usages:
    description:
      - With V(true), usages of O(pstn_usages) that the tenant does not have are added to its usage list (the
        Global C(OnlinePstnUsages) instance) before the policy is written.
      - With V(false), a missing usage is refused.
      - Only adds usages; it never removes one from the tenant's list.
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), remove the policy even while it is granted. The direct grants (users and resource
        accounts) and group grants of the policy are removed first; those accounts fall back to a group's policy
        or to the Global policy.
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
    removing a policy that is still granted (C(voice routing policy 'X' is still granted to 2 accounts (...) and 1
    group (...); remove those grants first, or set force: true to remove them with the policy));
    removing the Global policy (C(the Global voice routing policy cannot be removed; set its pstn_usages
    instead))."
  - Who holds a policy is read from the users' effective policies (Graph C(userConfigurations)), the resource
    accounts' effective policies (Teams admin API, one read per licensed resource account) and the group grants.
    A grant made in the last minute or so may not show yet (grants take effect asynchronously).
  - Uses the Teams admin API (Teams Administrator role) and, for O(state=absent), Graph
    C(TeamsUserConfiguration.Read.All).
seealso:
  - module: dialtone.teams_phone.teams_emergency_call_routing_policy
  - module: dialtone.teams_phone.teams_shared_policy
  - module: dialtone.teams_phone.teams_user_voice
  - name: Microsoft Learn - Set up Shared Calling
    description: The voice routing policy requirements for Direct Routing resource accounts and Shared Calling users.
    link: https://learn.microsoft.com/microsoftteams/shared-calling-setup
'''

EXAMPLES = r'''
- name: Policy for a Direct Routing resource account (with PSTN usages)
  dialtone.teams_phone.teams_voice_routing_policy:
    name: SC-DR-Seattle
    description: Seattle Shared Calling resource account
    pstn_usages: [National, International]

- name: Policy for Shared Calling users (no PSTN usages, as Microsoft requires)
  dialtone.teams_phone.teams_voice_routing_policy:
    name: SC-Users
    description: Shared Calling users
    pstn_usages: []

- name: A usage the tenant does not have yet, added with the policy
  dialtone.teams_phone.teams_voice_routing_policy:
    name: SC-DR-Tacoma
    pstn_usages: [Tacoma-DR, National]
    create_usages: true
  register: tacoma

- name: Show the policy as the service stores it
  ansible.builtin.debug:
    var: tacoma.policy

- name: Remove a policy, and the grants that still hold it
  dialtone.teams_phone.teams_voice_routing_policy:
    name: SC-DR-Tacoma
    state: absent
    force: true
'''

RETURN = r'''
policy:
  description:
    - The policy as the service returns it after the change (predicted in check mode), under the service's field
      names. V(null) with O(state=absent).
  returned: always
  type: dict
  contains:
    Identity: {description: "C(Tag:) and the name, or C(Global).", type: str, sample: "Tag:SC-DR-Seattle"}
    Description: {description: Description., type: str, sample: Seattle Shared Calling resource account}
    OnlinePstnUsages: {description: PSTN usages in order., type: list, elements: str, sample: [National, International]}
    RouteType: {description: Read-only route type set by the service., type: str, sample: BYOT}
removed_grants:
  description:
    - With O(state=absent), who held the policy when it was removed (predicted in check mode); V(null) when no one
      did.
  returned: when O(state=absent) removes a policy
  type: dict
  contains:
    users:
      description:
        - Users and resource accounts whose effective policy it was. C(assignmentType) is C(direct) for a direct
          grant (removed) or C(group) when it came from a group grant (removed with the group's).
      type: list
      elements: dict
      sample: [{"id": "0f8c0f7e-20f0-5a51-87b1-370cc16a68af", "userPrincipalName": "adele@contoso.com", "assignmentType": "direct"}]
    groups:
      description: Group grants of the policy (C(GroupId), C(Rank)).
      type: list
      elements: dict
'''
