#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_shared_calling_info
short_description: Read every Shared Calling site of a tenant, in the shape the rollout takes
version_added: 0.1.0
description:
  - Reads, without changing anything, every Shared Calling routing policy of the tenant and everything around it
    (the resource account with its licences and number, the number's emergency address and location, the auto
    attendant that answers the number, the policy's emergency callback numbers, and the users and group it is
    granted to), and returns one site per policy.
  - The sites have exactly the shape of the C(shared_calling_sites) list the C(shared_calling) role takes
    (C(docs/site-schema.md)), and the voice routing and emergency call routing policies they use come back in the
    shape of C(shared_calling_voice_routing_policies) and C(shared_calling_emergency_call_routing_policies). Fed back
    to the rollout, an export changes nothing. C(playbooks/export.yml) writes them as the rollout's vars file.
  - Each part of a site uses the option names of the module that applies it (M(dialtone.teams_phone.teams_emergency_location),
    M(dialtone.teams_phone.teams_resource_account), M(dialtone.teams_phone.teams_phone_number),
    M(dialtone.teams_phone.teams_auto_attendant), M(dialtone.teams_phone.teams_shared_policy),
    M(dialtone.teams_phone.teams_user_voice)). A part of an auto attendant those options cannot express (an audio
    greeting, a menu key that plays an announcement, a holiday with several date ranges) is left out, which the rollout
    reads as "leave it as it is", and a warning says so.
  - The members of a site are the users with a direct grant of its policy and a Teams Phone licence. Users without
    Teams Phone are reported in C(findings) instead, since M(dialtone.teams_phone.teams_user_voice) refuses them.
    A group grant of the policy is the site's C(users.group) (the best rank when there are several, with a warning).
  - A site's enterprise voice, voice routing policy and emergency call routing policy are the ones its members have
    in effect. When members differ, the site takes the most common value and a warning names the members whose
    value the rollout would change.
  - C(findings) lists what keeps Shared Calling from working, each with the fix. These are the checks of
    Microsoft's setup and the seed article's common mistakes.
  - "Voice routing follows Microsoft, not the seed article: a Direct Routing resource account needs a voice routing
    policy B(with) PSTN usages (finding C(no_voice_routing_policy)), and a Shared Calling user whose voice routing
    policy B(has) PSTN usages does not use Shared Calling (finding C(voice_routing_with_pstn_usages)). The seed
    article's mistake 3 says the users need one with usages."
  - Everything is read in bulk, whatever the number of users. The reads are the policy lists, the resource account
    list and its Teams view (C(GET /Teams.User/users) filtered to resource accounts), every number assignment,
    every emergency location, every auto attendant, every user's voice state (C(userConfigurations)), the group
    grants and the licence inventory. The licences of the resource accounts and of the policies' holders come from
    Graph C($batch) for up to 100 accounts, else from the user list.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  sites:
    description:
      - Names of the Shared Calling policies to read, with or without the C(Tag:) prefix, compared without regard
        to case. Every other read is still done in bulk.
      - A name the tenant does not have fails the task, naming the policies it has.
      - When not set (or V([])), every custom policy is read. The V(Global) instance is never a site.
    type: list
    elements: str
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
  - A read that fails fails the task, and nothing else is returned. No site or finding is ever reported as empty or
    absent because it could not be read. A resource account that does not exist, or a number without a location,
    is reported in C(findings).
  - "Graph permissions: C(User.Read.All), C(Organization.Read.All), C(TeamsTelephoneNumber.Read.All),
    C(TeamsUserConfiguration.Read.All); the Teams side needs the Teams Administrator role."
  - The filter on C(GET /Teams.User/users) and that route's paging parameters are inferred from the MicrosoftTeams
    PowerShell module; no public client has been seen sending them (docs/design/services.md#teams-users).
seealso:
  - module: dialtone.teams_phone.teams_tenant_info
  - module: dialtone.teams_phone.teams_shared_policy
  - module: dialtone.teams_phone.teams_user_voice
'''

EXAMPLES = r'''
- name: Read every Shared Calling site of the tenant
  dialtone.teams_phone.teams_shared_calling_info:
  register: export

- name: Write them as the vars file the shared_calling role takes
  ansible.builtin.copy:
    dest: "{{ playbook_dir }}/shared_calling_sites.yml"
    mode: "0644"
    content: |
      {{ {'shared_calling_sites': export.sites,
          'shared_calling_voice_routing_policies': export.shared_calling_voice_routing_policies,
          'shared_calling_emergency_call_routing_policies': export.shared_calling_emergency_call_routing_policies}
         | to_nice_yaml(indent=2) }}

- name: List what keeps Shared Calling from working, site by site
  ansible.builtin.debug:
    msg: "{{ item.site }}: {{ item.detail }}"
  loop: "{{ export.findings }}"
  loop_control:
    label: "{{ item.site }} {{ item.kind }} {{ item.subject }}"

- name: One site only, with the connection taken from module_defaults
  dialtone.teams_phone.teams_shared_calling_info:
    sites: [SC-Redmond]
  register: redmond

- name: Users the Redmond policy does not reach because of a personal number
  ansible.builtin.debug:
    msg: "{{ redmond.findings | selectattr('kind', 'equalto', 'personal_number') | map(attribute='subject') | list }}"
'''

RETURN = r'''
sites:
  description:
    - One site per custom Shared Calling policy, sorted by name, each a dictionary exactly as the C(shared_calling)
      role takes it (C(docs/site-schema.md)).
    - A part that does not exist in the tenant is V(null) (C(emergency_address), C(resource_account), C(number)) or
      V({}) (C(auto_attendant)), and C(findings) says why. A site with a V(null) part cannot be applied as it is.
  returned: success
  type: list
  elements: dict
  contains:
    name: {description: The policy's name without C(Tag:); a label only., type: str, sample: SC-Redmond}
    emergency_address:
      description:
        - The civic address of the number's emergency location, as M(dialtone.teams_phone.teams_emergency_location)
          options (C(description), C(company_name), C(house_number), C(street_name), C(city), C(state_or_province),
          C(postal_code), C(country), C(latitude), C(longitude) and the other address options). Empty fields are
          left out.
        - V(null) when the number has no location or there is no number.
      type: dict
      sample: {"description": "Contoso HQ", "company_name": "Contoso", "house_number": "1", "street_name": "Microsoft",
               "street_suffix": "Way", "city": "Redmond", "state_or_province": "WA", "postal_code": "98052",
               "country": "US", "latitude": "47.63", "longitude": "-122.13"}
    emergency_location:
      description: The named location under the address that the number uses; V("") for the address's default location.
      type: str
      sample: Floor 1
    resource_account:
      description:
        - The resource account of the policy, as M(dialtone.teams_phone.teams_resource_account) options, C(upn),
          C(display_name), C(usage_location), C(licenses) (SKU part numbers), C(type) (only for a call queue account),
          and C(voice_routing_policy) (only when one is granted to the account directly).
        - V(null) when the account does not exist.
      type: dict
      sample: {"upn": "sc-redmond@contoso.com", "display_name": "Redmond main line", "usage_location": "US",
               "licenses": ["PHONESYSTEM_VIRTUALUSER"], "voice_routing_policy": "RA-Pstn"}
    number:
      description:
        - The account's number, C(number) (E.164) and C(type) (C(direct_routing), C(calling_plan) or
          C(operator_connect)). V(null) when the account has none.
      type: dict
      sample: {"number": "+14255550100", "type": "direct_routing"}
    auto_attendant:
      description:
        - The auto attendant answering the account's number, as M(dialtone.teams_phone.teams_auto_attendant) options
          (C(name), C(language), C(voice), C(time_zone), C(voice_inputs), C(greeting), C(dial_by_name),
          C(dial_by_extension), C(dial_scope_groups), C(menu_prompt), C(menu), C(operator), C(business_hours),
          C(after_hours), C(holidays)). Users and resource accounts are named by UPN.
        - V({}) when none answers it.
      type: dict
      sample: {"name": "Redmond main line", "language": "en-US", "voice": "female",
               "time_zone": "Pacific Standard Time", "voice_inputs": false, "greeting": "Welcome to Contoso Redmond.",
               "dial_by_name": true, "dial_by_extension": false,
               "dial_scope_groups": ["5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"],
               "menu": [{"key": "0", "action": "operator"}], "operator": "megan@contoso.com"}
    policy:
      description: The policy, C(name), C(description) (when it has one) and C(emergency_numbers).
      type: dict
      sample: {"name": "SC-Redmond", "description": "Redmond main line", "emergency_numbers": ["+14255550102"]}
    users:
      description:
        - C(members), the UPNs of the users with a direct grant of the policy and a Teams Phone licence, sorted.
        - C(group), V({id, rank}) of the group grant of the policy, or V(null).
        - C(enterprise_voice), C(voice_routing_policy) and C(emergency_call_routing_policy), the values the members
          have in effect (V(Global) when no custom policy applies), only when there are members. Without members,
          C(voice_routing_policy) is the group's grant (V(Global) when it has none).
        - C(personal_number) is always V(keep), the only value that leaves members with a number as they are.
      type: dict
      sample: {"members": ["adele@contoso.com", "bianca@contoso.com"],
               "group": {"id": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "rank": 1},
               "enterprise_voice": true, "voice_routing_policy": "SC-NoPstn",
               "emergency_call_routing_policy": "SC-ECRP", "personal_number": "keep"}
shared_calling_voice_routing_policies:
  description:
    - The custom voice routing policies the sites use (the members' and the resource accounts'), sorted by name, as
      the C(shared_calling) role takes them, C(name), C(description) (when set) and C(pstn_usages).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "SC-NoPstn", "description": "Shared Calling users", "pstn_usages": []}]
shared_calling_emergency_call_routing_policies:
  description:
    - The custom emergency call routing policies the sites' members use, sorted by name, C(name), C(description)
      (when set), C(enhanced_emergency_services) and C(emergency_numbers) (C(dial_string), C(dial_mask), C(pstn_usage)).
  returned: success
  type: list
  elements: dict
  sample: [{"name": "SC-ECRP", "enhanced_emergency_services": true,
            "emergency_numbers": [{"dial_string": "911", "dial_mask": "9911", "pstn_usage": "National"}]}]
findings:
  description:
    - What keeps Shared Calling from working, site by site. RA-level findings come first, then the holders' findings
      by UPN.
    - C(kind) is one of C(resource_account_not_found) (the policy names an account that does not exist, SC1),
      C(resource_account_unlicensed) (no Teams Phone Resource Account licence, seed article mistake 4),
      C(no_number) (the account has no number, SC1 and SC16), C(number_without_location) (the number has no emergency
      location, or one that does not exist, SC2 and mistake 1), C(no_voice_routing_policy) (a Direct Routing account
      whose voice routing policy has no PSTN usages, SC9), C(no_auto_attendant) (no auto attendant answers the
      number), C(personal_number) (a holder keeps a personal number, SC10 and mistake 2),
      C(voice_routing_with_pstn_usages) (a holder's voice routing policy has PSTN usages, SC11),
      C(no_teams_phone_license) (a holder without Teams Phone, SC13) and C(enterprise_voice_off) (SC13).
    - Holders are the users whose policy in effect is the site's, whether granted directly or by a group.
  returned: success
  type: list
  elements: dict
  contains:
    site: {description: The site's name., type: str, sample: SC-Redmond}
    kind: {description: What is wrong (see above)., type: str, sample: personal_number}
    subject: {description: "The user or resource account (UPN), or the number.", type: str, sample: adele@contoso.com}
    detail: {description: What is wrong and how to fix it., type: str}
counts:
  description: Totals over the sites read.
  returned: success
  type: dict
  contains:
    sites: {description: Sites returned., type: int, sample: 4}
    members: {description: Members over all sites., type: int, sample: 4}
    holders: {description: Users whose policy in effect is one of the sites' (direct or group)., type: int, sample: 7}
    group_grants: {description: Sites with a group grant., type: int, sample: 1}
    findings: {description: Findings., type: int, sample: 12}
    by_kind: {description: Findings per kind., type: dict, sample: {"personal_number": 1, "no_number": 1}}
'''
