#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_resource_account
short_description: Manage the Teams resource account behind a Shared Calling number
version_added: 0.1.0
description:
  - Creates, updates or deletes a Microsoft Teams resource account, the account that holds the shared phone
    number of a Shared Calling policy and is linked to its auto attendant.
  - Creating goes through the Teams admin API (the REST twin of C(New-CsOnlineApplicationInstance)); the usage
    location is then set, and only then the licences are assigned, through Microsoft Graph.
  - A new resource account is not found by the Teams admin service for a while ("The user '...' is not found"
    while it replicates). With O(wait=true) the module waits until the Teams side finds it, so that the next
    task (a number, an auto attendant link, a Shared Calling policy) does not fail.
  - Deleting releases the account's phone number first, removes its licences, then deletes it as an Entra ID
    user (there is no Teams API to delete a resource account).
  - Everything is checked before the first write, and the task fails without changing anything when the UPN
    names a user rather than a resource account, when its domain is not a verified domain of the tenant, when
    a licence has no free unit, when the account has no usage location to license it with, or (for
    O(state=absent)) when a Shared Calling policy still uses the account.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  upn:
    description:
      - User principal name of the resource account, for example C(mainline-seattle@contoso.com).
      - Its domain must be a verified domain of the tenant; the UPN is also the account's SIP address.
      - The object ID of an existing resource account is accepted as well (it cannot create one).
    type: str
    required: true
  display_name:
    description:
      - Display name of the account.
      - When creating, defaults to the local part of O(upn). When updating and not set, the name is left alone.
      - A new name for an existing account is set through Microsoft Graph (the user's C(displayName)).
    type: str
  type:
    description:
      - The voice application the account serves, which sets its application ID.
      - V(auto_attendant) is C(ce933385-9390-45d1-9512-c8d228074e07), what Shared Calling uses;
        V(call_queue) is C(11cd3e2e-fccb-42ad-ad00-878b93575e07).
      - Set when creating. Changing the type of an existing account is refused before anything is written;
        Microsoft does not support C(Set-CsOnlineApplicationInstance) with application authentication, the
        only sign-in this collection uses. Change it in the Teams admin center, or create a new account.
    type: str
    choices: [auto_attendant, call_queue]
    default: auto_attendant
  usage_location:
    description:
      - Usage location, a two-letter ISO 3166-1 country code such as C(US) or C(GB).
      - Licences can only be assigned to an account with a usage location, so it is required when creating,
        and when licensing an existing account that has none.
      - For a Calling Plan number it must be the country of the number.
    type: str
  licenses:
    description:
      - Licences the account must hold, as SKU part numbers (C(PHONESYSTEM_VIRTUALUSER)) or skuIds.
      - A name that is not one of the tenant's subscriptions fails the task with the list of its SKUs.
      - Licences the account holds and that are not listed are kept unless O(purge_licenses=true).
      - For a Calling Plan resource account add a Pay-As-You-Go Calling Plan (for example C(MCOPSTN_PAYG)) and
        Communications Credits (C(MCOPSTNC)); for Direct Routing the resource account licence is enough.
    type: list
    elements: str
    default: [PHONESYSTEM_VIRTUALUSER]
  purge_licenses:
    description:
      - Remove the licences the account holds that O(licenses) does not list.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the account; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete the account even though Shared Calling policies name it. Their users
        cannot call out until the policies name another resource account; the task warns about it.
    type: bool
    default: false
  wait:
    description:
      - After creating the account, wait until the Teams admin service finds it.
      - With V(false) the task returns at once; C(applicationId) and C(phoneNumber) are then unknown, and until
        the account has replicated later runs neither compare nor change O(display_name) and O(type).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the Teams side to find a new account (O(wait)), and for a number release on
        O(state=absent). Replication usually takes seconds to minutes.
    type: int
    default: 300
  voice_routing_policy:
    description:
      - An online voice routing policy to grant the account directly. V("") (or V(Global)) removes the direct
        grant; omitted, the account's grants are left alone.
      - A resource account whose number is a Direct Routing number needs a voice routing policy B(with) PSTN
        usages, so that its Shared Calling users can call out (Microsoft's Shared Calling setup; the seed
        article's step 9 puts it on the users instead, which Microsoft's documentation contradicts; the users
        need one B(without) usages where the Global one has some). A policy without usages draws a warning.
      - The policy must exist (M(dialtone.teams_phone.teams_voice_routing_policy)). Grants take effect
        asynchronously; the result reports the granted name at once.
      - A new account must be visible to Teams before it can be granted a policy, so this needs O(wait=true).
    type: str
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads everything and reports what would change; writes nothing, also for O(state=absent).
  diff_mode:
    support: full
    details: Before and after of the returned fields (server-managed C(objectId) and C(phoneNumber) left out).
  platform:
    platforms: posix
notes:
  - Needs the Graph application permissions C(User.ReadWrite.All) (usage location, delete),
    C(Organization.Read.All) (verified domains, licence pools), C(LicenseAssignment.ReadWrite.All),
    C(TeamsUserConfiguration.Read.All) and C(TeamsTelephoneNumber.ReadWrite.All) (number release), and the
    Teams Administrator role for the Teams admin API.
  - A resource account without the Teams Phone Resource Account licence cannot hold a phone number (the seed
    article's mistake 4); leave O(licenses) at its default unless you know better.
  - For Direct Routing, Microsoft requires the resource account to have an online voice routing policy
    with PSTN usages, while Shared Calling users get one with none. Some guides (the seed article's step 9
    and mistake 3) say the users need the PSTN usages; this collection follows Microsoft.
seealso:
  - module: dialtone.teams_phone.teams_phone_number
  - module: dialtone.teams_phone.teams_tenant_info
'''

EXAMPLES = r'''
- name: Create the Seattle main line resource account, licensed, and wait until Teams finds it
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-seattle@contoso.com
    display_name: Seattle Main Line - Shared Calling
    usage_location: US
  register: ra

- name: The object ID for the Shared Calling policy
  ansible.builtin.debug:
    msg: "{{ ra.resource_account.objectId }}"

- name: A Calling Plan resource account needs Pay-As-You-Go minutes and credits too
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-chicago@contoso.com
    display_name: Chicago Main Line
    usage_location: US
    licenses: [PHONESYSTEM_VIRTUALUSER, MCOPSTN_PAYG, MCOPSTNC]

- name: Keep only the resource account licence
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-chicago@contoso.com
    licenses: [PHONESYSTEM_VIRTUALUSER]
    purge_licenses: true

- name: Delete an account no policy uses any more (its number is released first)
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-chicago@contoso.com
    state: absent
'''

RETURN = r'''
resource_account:
  description:
    - The account after the change, under the services' field names. In check mode, what it would be.
    - An empty dict with O(state=absent).
  returned: always
  type: dict
  contains:
    objectId: {description: Entra ID object ID of the account., type: str, sample: 5f3b6c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f}
    userPrincipalName: {description: UPN of the account., type: str, sample: mainline-seattle@contoso.com}
    displayName: {description: Display name., type: str, sample: Seattle Main Line - Shared Calling}
    applicationId:
      description: Application ID of the voice application; null while the Teams side does not find the account.
      type: str
      sample: ce933385-9390-45d1-9512-c8d228074e07
    usageLocation: {description: Usage location., type: str, sample: US}
    licenses:
      description: SKU part numbers of the licences the account holds.
      type: list
      elements: str
      sample: [PHONESYSTEM_VIRTUALUSER]
    phoneNumber:
      description: The account's phone number in E.164, or null when it has none.
      type: str
      sample: "+14255550100"
    voiceRoutingPolicy:
      description: The voice routing policy granted to the account directly, or C(Global) when it has no direct grant.
      returned: when O(voice_routing_policy) is given
      type: str
      sample: SC-DR-Redmond
'''
