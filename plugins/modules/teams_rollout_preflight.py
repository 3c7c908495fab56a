#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_rollout_preflight
short_description: Check a whole Shared Calling rollout plan against the tenant before anything is written
version_added: 0.1.0
description:
  - Reads the tenant once, in bulk, and checks every site of a rollout plan (the C(shared_calling_sites) list of
    C(docs/site-schema.md)) and the tenant-wide policies it creates against it, with the same rules the modules apply
    one object at a time. Every problem of every site is listed at once, each with the seed article's mistake
    number when it is one of its six common mistakes. The C(shared_calling) role runs it before its first write, so
    that a plan with a problem changes nothing.
  - "What it checks, per site: the emergency address the shared number gets exists or can be created, and is in
    the number's country (mistake 1); users with a personal number, group members included, under each
    O(sites[].users.personal_number) mode (mistake 2: V(fail) is a problem, V(keep) a warning, V(remove) releases
    it); a Direct Routing resource account's voice routing policy has PSTN usages (mistake 3, as Microsoft states
    it; a planned policy counts with its planned usages); the resource account's licences after the plan include
    the Teams Phone Resource Account licence (mistake 4) and, for a Calling Plan number, a Pay-As-You-Go Calling
    Plan (C(MCOPSTN_PAYG_1)) and Communications Credits (C(MCOPSTNC)) (mistake 5); the emergency callback numbers
    have the shared number's type and country, are in the inventory, free or the policy's own, and subscriber
    numbers for Calling Plan (mistake 6); the shared number is in the inventory (Direct Routing aside), of the
    planned type, free or the account's, assignable to a resource account, and in the account's usage location;
    the users' voice routing policy has no PSTN usages; their emergency call routing policy routes over PSTN usages
    with a Direct Routing number and does not with Calling Plan or Operator Connect; no user is a member of two
    sites; every named policy, user and group exists or is planned."
  - Read-only; it runs the same in check mode, so C(--check --diff) lists the same problems.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  sites:
    description:
      - The sites of the plan, each a dictionary as C(docs/site-schema.md) describes (the C(shared_calling) role
        passes them with C(shared_calling_site_defaults) merged in).
    type: list
    elements: dict
    required: true
  voice_routing_policies:
    description:
      - The voice routing policies the plan creates or updates (C(shared_calling_voice_routing_policies)), each with
        C(name) and C(pstn_usages). They count as present, with these usages.
    type: list
    elements: dict
    default: []
  emergency_call_routing_policies:
    description:
      - The emergency call routing policies the plan creates or updates
        (C(shared_calling_emergency_call_routing_policies)), each with C(name) and C(emergency_numbers) (whose
        C(pstn_usage) tells whether it routes over a PSTN usage). They count as present.
    type: list
    elements: dict
    default: []
  fail_on_problem:
    description:
      - With V(true), a plan with a problem fails the task, the message listing every problem, site by site.
      - With V(false), the problems are only returned (a compliance run reports them instead).
    type: bool
    default: true
  snapshot:
    description:
      - Also write the tenant as read to this file, for the C(snapshot) option of the later tasks of a check run
        (O(dialtone.teams_phone.teams_user_voice#module:snapshot) and the other modules of a site), so that they do
        not read the tenant again. It holds the policies, PSTN usages, SKUs, numbers, emergency locations, auto
        attendants, resource accounts, the sites' accounts and the organization, then every user of the tenant
        (object id, UPN, licences) with its voice configuration, one JSON object a line. Costs the user list (999
        users a page) and four reads.
      - The file records the tenant ID; a task of another tenant refuses it.
      - The file is created with mode 0600 and replaced whole; it holds no secret.
    type: path
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; runs normally in check mode and never reports a change.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - A read that fails fails the task; nothing is ever reported as missing because it could not be read.
  - "Reads: the licence inventory, the voice routing and emergency call routing policies, the emergency addresses,
    every number assignment, the Teams view of the resource accounts, every user's voice configuration, the
    resource accounts' Entra side (one C($batch)) and each group's members."
  - "Graph permissions: C(User.Read.All), C(Organization.Read.All), C(TeamsTelephoneNumber.Read.All),
    C(TeamsUserConfiguration.Read.All), C(GroupMember.Read.All) for group sites; the Teams side needs the Teams
    Administrator role."
  - Communications Credits funding cannot be read; a funded balance with auto-recharge is the administrator's to
    keep (mistake 5).
seealso:
  - module: dialtone.teams_phone.teams_shared_calling_info
  - module: dialtone.teams_phone.teams_shared_policy
'''

EXAMPLES = r'''
- name: Check the whole plan before the first write
  dialtone.teams_phone.teams_rollout_preflight:
    sites: "{{ shared_calling_sites }}"
    voice_routing_policies: "{{ shared_calling_voice_routing_policies }}"
    emergency_call_routing_policies: "{{ shared_calling_emergency_call_routing_policies }}"

- name: List the problems without failing
  dialtone.teams_phone.teams_rollout_preflight:
    sites: "{{ shared_calling_sites }}"
    fail_on_problem: false
  register: preflight

- name: Show them site by site
  ansible.builtin.debug:
    msg: "{{ item.site }}: mistake {{ item.mistake }}: {{ item.msg }}"
  loop: "{{ preflight.problems }}"
'''

RETURN = r'''
snapshot:
  description: The file written, when O(snapshot) was given.
  returned: when O(snapshot) is given
  type: str
  sample: /home/ansible/.cache/dialtone/contoso.snapshot
problems:
  description:
    - Every problem of the plan, in site order. C(mistake) is the seed article's mistake number (1 to 6), 0 when the
      problem is none of them; C(kind) a short tag; C(subject) the object (account, number, user, policy).
    - Then, with C(site) C(all sites), the Graph application permissions the rollout's writes need and the app's token lacks
      (C(kind) C(permission_missing)), read from the token's roles claim.
  returned: success
  type: list
  elements: dict
  sample: [{"site": "seattle", "mistake": 1, "kind": "emergency_address_missing", "subject": "Seattle office",
            "msg": "emergency address 'Seattle office' does not exist and ..."}]
warnings_found:
  description: What the plan leaves on purpose and that keeps Shared Calling from applying (a kept personal number).
  returned: success
  type: list
  elements: dict
new_policies:
  description:
    - The names of the plan's voice routing and emergency call routing policies the tenant does not have yet (a
      check run treats them as planned, not missing).
  returned: success
  type: list
  elements: str
sites:
  description:
    - One entry per site, C(name) and C(group_members), the user principal names of the members of the site's
      group that are Teams users (the role turns enterprise voice on for them).
  returned: success
  type: list
  elements: dict
'''
