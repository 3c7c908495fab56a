#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_user_voice
short_description: Set the Teams voice settings of many users, or the policy grants of a group
version_added: 0.1.0
description:
  - Sets, for many users in one task, enterprise voice and the Shared Calling, voice routing and emergency call
    routing policies, and decides what happens to a personal number. A personal number takes precedence over
    Shared Calling.
  - With O(group), grants the Shared Calling and voice routing policies to an Entra group, with a rank.
  - Reads the users' current state in bulk and writes only what differs. A policy setting is compared with the
    policy in effect (a direct grant, else the group grant of the best rank, else Global). A user that a group's
    or the Global grant already gives the policy is left alone.
  - Validates before writing. Every user must exist and hold a Teams Phone licence (the message lists those
    that do not), and every named policy must exist.
  - Warns about each user to whom Shared Calling will not apply. This happens when the user keeps a personal
    number, when the user's voice routing policy has PSTN usages, or when enterprise voice is off.
  - Follows Microsoft's Shared Calling setup for voice routing. Shared Calling users need a voice routing policy
    without PSTN usages (when the Global one has usages); the resource account needs one with PSTN usages. The
    seed article's mistake 3 says the users need one with PSTN usages, which Microsoft contradicts. See
    M(dialtone.teams_phone.teams_shared_policy).
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  users:
    description:
      - The users, by UPN or object ID. A user listed twice (by UPN and by ID) counts once.
      - Mutually exclusive with O(group); one of them is required.
    type: list
    elements: str
  group:
    description:
      - Object ID of an Entra group to grant O(shared_calling_policy) and O(voice_routing_policy) to, with O(rank).
        The grant reaches the group's direct members only, and a member's direct grant beats it.
      - Group grants take hours to reach every member of a large group; O(wait) does not apply.
      - Emergency call routing policies cannot be granted to a group, and O(enterprise_voice) and
        O(personal_number=remove) are per user. They are refused with O(group).
      - The members are read to warn about those to whom Shared Calling will not apply.
    type: str
  rank:
    description:
      - Rank of the group grant; 1 is the highest. Required with O(group), and only valid with it.
      - Another group granted the same policy type at the same rank moves one rank down.
    type: int
  enterprise_voice:
    description:
      - Whether enterprise voice is on. Shared Calling users need it on.
      - Left as it is when not given. Releasing a number turns it off, so with O(personal_number=remove) it is turned
        on again afterwards when set to V(true).
    type: bool
  shared_calling_policy:
    description:
      - The Shared Calling policy (C(TeamsSharedCallingRoutingPolicy)) to grant to each user or to the group, by name.
      - V("") removes the direct grant (a group's grant or Global then applies). V(Global) asks for Global to apply.
        A direct grant is removed; a user who gets a policy from a group is left alone, with a warning.
      - Left alone when not given.
    type: str
  voice_routing_policy:
    description:
      - The online voice routing policy (C(OnlineVoiceRoutingPolicy)) to grant, by name; V("") and V(Global) as
        for O(shared_calling_policy).
      - Shared Calling users need a policy without PSTN usages (Microsoft's setup).
    type: str
  emergency_call_routing_policy:
    description:
      - The emergency call routing policy (C(TeamsEmergencyCallRoutingPolicy)) to grant, by name; V("") and V(Global)
        as for O(shared_calling_policy). Users only, never a group.
    type: str
  personal_number:
    description:
      - What to do with a user's personal number. A number with C(;ext=) (Direct Routing extension dialling) does
        not count as one.
      - V(keep) leaves the number. Each user with one gets a warning that Shared Calling will not apply, the seed
        article's mistake 2.
      - V(remove) releases the number (it stays in the tenant's inventory), so Shared Calling takes effect.
      - V(fail) refuses the task, naming the users with a personal number.
    type: str
    choices: [keep, remove, fail]
    default: keep
  wait:
    description:
      - Grants take effect asynchronously, usually within a minute. With V(true), the users written to are read
        again until their changes are in effect, or O(wait_timeout) passes (a failure naming the users).
      - Ignored with O(group).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait), and for each number release with O(personal_number=remove).
    type: int
    default: 300
  grant_batch_size:
    description:
      - Users per policy assignment request. Direct grants go through Microsoft Graph's documented policy
        assignment API (C(POST /v1.0/admin/teams/policy/userAssignments/assign) and C(unassign)), which takes
        many users per request; Microsoft documents no upper limit, so the default stays small (Graph's own
        C($batch) size of 20).
      - V(0) sends one Teams admin request per user and policy type instead.
      - The module also uses the Teams admin route, per policy type and with a warning, when Graph cannot
        take the grants - in the usgov, dod and china clouds (the API exists in the global cloud only), when
        the app lacks the Graph permission C(TeamsPolicyUserAssign.ReadWrite.All), or when Graph refuses
        the policy type.
      - From 0 to 1000.
    type: int
    default: 20
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads, validates and predicts every change; writes nothing.
  diff_mode:
    support: full
    details: One diff per user that changes (or one for the group), listing the fields that change.
  platform:
    platforms: posix
notes:
  - Up to 100 users are resolved and their Teams configurations read with Graph C($batch), 20 users per request.
    For more, the first page of the tenant's user list (999 per page) tells the tenant's size, and the module reads
    whichever costs fewer requests, the rest of the list or C($batch) lookups; the configurations likewise (the
    tenant's list, 999 per page, or C($batch)). Pages are matched by UPN and object id as they arrive, and only the
    task's users are kept. A user that needs nothing costs no request of its own.
  - Writes go out together, at most O(max_concurrency) at a time, and fewer while the service throttles.
    Number releases go first, one by one; enterprise voice is one request per user; grants go through Graph's
    policy assignment, O(grant_batch_size) users per request and policy type (see O(grant_batch_size)).
  - Without O(wait), C(results) show the requested state of the users written to, with C(pending) set. The
    service applies grants later, and a run in the meantime may write the same grants again.
  - Resource accounts have no Teams user configuration and are refused as O(users).
  - Graph permissions are C(User.Read.All), C(Organization.Read.All) and C(TeamsUserConfiguration.Read.All), plus
    C(TeamsTelephoneNumber.ReadWrite.All) with O(personal_number=remove), C(GroupMember.Read.All) with O(group),
    and C(TeamsPolicyUserAssign.ReadWrite.All) for grants through Graph (without it, grants go one request per
    user and policy type, with a warning).
    The Teams admin API needs the Teams Administrator role.
seealso:
  - module: dialtone.teams_phone.teams_shared_policy
  - module: dialtone.teams_phone.teams_voice_routing_policy
  - module: dialtone.teams_phone.teams_emergency_call_routing_policy
'''

EXAMPLES = r'''
# The connection (tenant_id, client_id, client_secret) comes from
# module_defaults for group/dialtone.teams_phone.teams, or from AZURE_*.

- name: Shared Calling for three users, with enterprise voice and a voice routing policy without PSTN usages
  dialtone.teams_phone.teams_user_voice:
    users: [ulla@contoso.com, umar@contoso.com, ursula@contoso.com]
    enterprise_voice: true
    shared_calling_policy: SC-Seattle
    voice_routing_policy: SC-NoPstn
    wait: true
  register: voice

- name: Show who changed
  ansible.builtin.debug:
    msg: "{{ voice.results | selectattr('changed') | map(attribute='userPrincipalName') | list }}"

- name: Release the personal number of a user moving to Shared Calling
  dialtone.teams_phone.teams_user_voice:
    users: [pia@contoso.com]
    enterprise_voice: true
    shared_calling_policy: SC-Seattle
    personal_number: remove

- name: Refuse the task if any of these users still has a personal number
  dialtone.teams_phone.teams_user_voice:
    users: [gina@contoso.com, gus@contoso.com]
    shared_calling_policy: SC-Seattle
    personal_number: fail

- name: Grant the policy to a group (rank 1 beats the group's other grants of the type)
  dialtone.teams_phone.teams_user_voice:
    group: 6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0
    rank: 1
    shared_calling_policy: SC-Seattle
    voice_routing_policy: SC-NoPstn

- name: Remove a user's direct grant, so that the group's or the Global policy applies
  dialtone.teams_phone.teams_user_voice:
    users: [ursula@contoso.com]
    shared_calling_policy: ""
'''

RETURN = r'''
results:
  description:
    - With O(users), one entry per user, in the order given. With O(group), the members that have warnings.
  returned: always
  type: list
  elements: dict
  contains:
    user: {description: The user as given in O(users) (the UPN for a group member)., type: str}
    id: {description: Object ID., type: str}
    userPrincipalName: {description: UPN., type: str}
    changed: {description: Whether anything was (or in check mode would be) written for this user., type: bool}
    changes:
      description:
        - The fields that change, each with C(before) and C(after). The fields are C(isEnterpriseVoiceEnabled),
          C(telephoneNumbers), and the policy types C(TeamsSharedCallingRoutingPolicy), C(OnlineVoiceRoutingPolicy)
          and C(TeamsEmergencyCallRoutingPolicy). A policy's value is the name of the policy in effect. An C(after)
          of V(null) means the direct grant is removed, and a group's or the Global policy applies.
      type: dict
      sample: {"TeamsSharedCallingRoutingPolicy": {"before": "Global", "after": "SC-Seattle"}}
    warnings: {description: "Why Shared Calling will not apply to this user, if it will not.", type: list, elements: str}
    pending: {description: A write was sent but is not yet seen in effect (always so without O(wait))., type: bool}
    errors: {description: Writes that failed for this user., type: list, elements: str, returned: when a write failed}
totals:
  description: Counts over the task.
  returned: always
  type: dict
  contains:
    users: {description: Users of the task (with O(users))., type: int}
    members: {description: Direct members of the group (with O(group))., type: int}
    changed: {description: Users that change., type: int}
    unchanged: {description: Users left alone., type: int}
    writes: {description: Write requests needed (sent unless in check mode)., type: int}
    pending: {description: Users whose writes are not yet seen in effect., type: int}
    warnings: {description: Per-user warnings., type: int}
    by_field: {description: "Users changing, per field.", type: dict}
    requests: {description: "HTTP requests this run sent, tokens included.", type: int}
group_assignments:
  description: With O(group), the group's grants of the policy types the task names, as the service lists them.
  returned: with O(group)
  type: list
  elements: dict
  sample: [{"GroupId": "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0", "PolicyType": "TeamsSharedCallingRoutingPolicy",
            "PolicyName": "SC-Seattle", "Rank": 1}]
'''
