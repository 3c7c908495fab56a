#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_auto_attendant
short_description: Manage the Teams auto attendant that answers a Shared Calling number
version_added: 0.1.0
description:
  - Creates, updates or removes a Teams auto attendant, and links it to the resource accounts whose numbers it
    answers (the association).
  - In Shared Calling, inbound calls to the shared number reach this auto attendant, which routes them to people
    by name, by extension or by menu key (step 5 of the set-up). Without an auto attendant linked to the resource
    account, callers of the shared number reach nobody.
  - The auto attendant is found by O(name), which must be unique in the tenant.
  - An update reads the whole auto attendant, lays the options that are set over it, and writes the whole object
    back, so that everything the task does not name (set in the Teams admin center, for example) is kept. An
    option that is not set leaves its part of the auto attendant as it is. A second run with the same options
    changes nothing and sends no write.
  - Every user, resource account and group the options name is looked up before anything is written; an unknown
    one, or one of the wrong kind, fails the task and changes nothing.
  - The Teams admin API this module uses is undocumented; the auto attendant routes and their JSON shape are
    inferred from the MicrosoftTeams PowerShell module.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  name:
    description:
      - Name of the auto attendant. It identifies the auto attendant, compared without regard to case.
      - Two auto attendants with this name fail the task, naming their ids; rename or delete the extra ones.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the auto attendant; V(absent) unlinks its resource accounts, then deletes it.
    type: str
    choices: [present, absent]
    default: present
  language:
    description:
      - Language of the auto attendant's prompts and speech recognition, a tag such as V(en-US) (C(languageId)).
      - When not set, a new auto attendant gets V(en-US) and an existing one keeps its language.
    type: str
  voice:
    description:
      - Voice that reads text-to-speech prompts (C(voiceId)).
      - When not set, a new auto attendant gets V(female) and an existing one keeps its voice.
    type: str
    choices: [female, male]
  time_zone:
    description:
      - Windows time zone id in which the business hours and holidays are read (C(timeZoneId)), for example
        V(Pacific Standard Time) or V(GMT Standard Time).
      - When not set, a new auto attendant gets V(UTC) and an existing one keeps its time zone.
    type: str
  voice_inputs:
    description:
      - Whether callers may speak instead of pressing keys (C(voiceResponseEnabled), "Enable voice inputs").
      - When not set, a new auto attendant gets V(false).
    type: bool
  greeting:
    description:
      - Greeting read as text to speech when the auto attendant answers during business hours.
      - V("") removes the greeting.
    type: str
  dial_by_name:
    description:
      - Whether callers may say or type the name of the person they want ("Dial by name").
      - An auto attendant has one directory search method, so O(dial_by_name) and O(dial_by_extension) cannot both
        be V(true). V(false) turns dial by name off when it is on.
    type: bool
  dial_by_extension:
    description:
      - Whether callers may type the extension of the person they want ("Dial by extension"). Extensions come from
        the users' phone numbers or their Entra business phone. Shared Calling users have no number of their own;
        the one exception Microsoft allows is a Direct Routing number with a unique C(;ext=), for this purpose.
      - V(false) turns dial by extension off when it is on.
    type: bool
  dial_scope_groups:
    description:
      - Object ids of the groups whose members callers can reach by name or extension ("Dial scope", include
        custom groups). For Shared Calling, give the group of the users who share the number.
      - V([]) lets callers reach everyone in the tenant.
    type: list
    elements: str
  menu:
    description:
      - Menu options of the business-hours call flow, one per phone key. When set, the menu has exactly these keys.
    type: list
    elements: dict
    suboptions:
      key:
        description: Phone key, V(0) to V(9), V(*) or V(#).
        type: str
        required: true
      action:
        description:
          - What the key does. V(user) and V(resource_account) transfer the call to O(menu[].target) (a resource
            account runs its own auto attendant or call queue); V(operator) transfers to O(operator); V(voicemail)
            sends the caller to the voicemail of the Microsoft 365 group O(menu[].target); V(disconnect) hangs up.
        type: str
        required: true
        choices: [user, resource_account, operator, voicemail, disconnect]
      target:
        description:
          - For V(user) and V(resource_account), a UPN or object id; for V(voicemail), the group's object id.
          - Not allowed for V(operator) and V(disconnect).
        type: str
  menu_prompt:
    description:
      - Prompt read as text to speech before the menu, for example "Say or type a name, or press 0 for the operator".
      - V("") removes it.
    type: str
  operator:
    description:
      - The operator, a user or a resource account (UPN or object id); which of the two is found out from the
        account.
      - Required (here or already on the auto attendant) when a menu key, the after-hours call flow or a holiday
        transfers to the operator.
    type: str
  business_hours:
    description:
      - Business hours, in O(time_zone). Outside them the after-hours call flow (O(after_hours)) answers.
      - Ranges of one day must not overlap; days not listed are closed all day.
      - V([]) means open around the clock and removes the after-hours call flow.
      - Needs O(after_hours) unless the auto attendant already has an after-hours call flow.
    type: list
    elements: dict
    suboptions:
      days:
        description: Days these hours apply to.
        type: list
        elements: str
        required: true
        choices: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]
      start:
        description: Opening time, V(HH:MM), for example V(09:00).
        type: str
        required: true
      end:
        description: Closing time, V(HH:MM), after O(business_hours[].start).
        type: str
        required: true
  after_hours:
    description:
      - What callers hear and what happens to them outside business hours.
      - Needs O(business_hours) unless the auto attendant already has business hours.
    type: dict
    suboptions:
      greeting:
        description: Greeting read as text to speech. When not set, an existing greeting is kept.
        type: str
      action:
        description:
          - What happens after the greeting, as for O(menu[].action).
          - When not set, a new call flow hangs up (V(disconnect)) and an existing one keeps its action.
        type: str
        choices: [user, resource_account, operator, voicemail, disconnect]
      target:
        description: As O(menu[].target).
        type: str
  holidays:
    description:
      - Holidays, each with its own greeting and action, taking precedence over business and after hours. When
        set, the auto attendant has exactly these holidays; V([]) removes them all.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the holiday; it identifies the holiday between runs.
        type: str
        required: true
      start:
        description: Start, V(YYYY-MM-DD) (midnight) or V(YYYY-MM-DDTHH:MM), in O(time_zone).
        type: str
        required: true
      end:
        description:
          - End, in the same form; the end is not part of the holiday, so a one-day holiday on V(2025-12-25) ends
            V(2025-12-26).
        type: str
        required: true
      greeting:
        description: Greeting read as text to speech.
        type: str
      action:
        description:
          - What happens after the greeting, as for O(menu[].action).
          - When not set, a new call flow hangs up (V(disconnect)) and an existing one keeps its action.
        type: str
        choices: [user, resource_account, operator, voicemail, disconnect]
      target:
        description: As O(menu[].target).
        type: str
  resource_accounts:
    description:
      - Resource accounts (UPNs or object ids) whose numbers the auto attendant answers.
      - Each must be a resource account of type C(auto_attendant) (application id
        C(ce933385-9390-45d1-9512-c8d228074e07)) that no other auto attendant or call queue answers for; a resource
        account serves one voice application.
      - With O(purge_resource_accounts=true), accounts linked now but not listed are unlinked.
    type: list
    elements: str
  call_priority:
    description:
      - Priority, from 1 (highest) to 5, of calls that arrive through the resource accounts of
        O(resource_accounts).
      - When not set, new links get 3 and existing links keep theirs. A changed priority unlinks and links the
        resource account again, since a link cannot be updated.
    type: int
  purge_resource_accounts:
    description:
      - Whether to unlink resource accounts that are linked now but not listed in O(resource_accounts).
    type: bool
    default: true
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - dialtone.teams_phone.snapshot
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads everything and predicts the result, including the ids of new call flows and schedules; writes nothing.
  diff_mode:
    support: full
    details:
      - The auto attendant before and after, without its server-managed ids.
      - When links change, a second entry shows each resource account's call priority before and after.
  platform:
    platforms: posix
notes:
  - Needs the Teams Administrator directory role (Teams admin API) and the Graph application permissions
    C(User.Read.All) and C(GroupMember.Read.All) (or C(Group.Read.All)) to look up the accounts and groups named.
  - The resource accounts must exist first; create them with M(dialtone.teams_phone.teams_resource_account)
    (C(type=auto_attendant)). A new resource account can take
    minutes, up to 24 hours, to become visible to Teams; until then this module refuses to link it.
  - The module warns when the auto attendant routes callers to nobody (no directory search and no menu key) or
    answers for no resource account.
  - Shared Calling users have no phone number of their own; callers reach them through this auto attendant, so
    give O(dial_scope_groups) the group that holds them.
  - Quote times and dates in YAML, as in V("09:00") and V("2025-12-25"); unquoted, YAML reads them as numbers and dates.
seealso:
  - module: dialtone.teams_phone.teams_resource_account
  - name: Set up an auto attendant (Microsoft Learn)
    description: What each setting of an auto attendant does.
    link: https://learn.microsoft.com/microsoftteams/create-a-phone-system-auto-attendant
'''

EXAMPLES = r'''
- name: The resource account that holds the shared number
  dialtone.teams_phone.teams_resource_account:
    upn: mainline-shared@contoso.com
    display_name: Main Line - Shared Calling
    usage_location: US

- name: An auto attendant that answers the shared number and routes by name
  dialtone.teams_phone.teams_auto_attendant:
    name: Seattle Main
    language: en-US
    time_zone: Pacific Standard Time
    greeting: Thank you for calling Contoso.
    dial_by_name: true
    dial_scope_groups:
      - 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9   # the Shared Calling users
    menu_prompt: Say or type the name of the person you want, or press 0 for the operator.
    menu:
      - {key: 0, action: operator}
      - {key: 1, action: user, target: adele@contoso.com}
    operator: alex@contoso.com
    business_hours:
      - {days: [monday, tuesday, wednesday, thursday, friday], start: "08:30", end: "17:30"}
    after_hours:
      greeting: We are closed. Please call again between 8:30 and 5:30, Monday to Friday.
      action: disconnect
    holidays:
      - {name: Christmas, start: "2025-12-25", end: "2025-12-26", greeting: We are closed for Christmas.}
    resource_accounts:
      - mainline-shared@contoso.com
  register: aa

- name: Change only the greeting; everything else stays as it is
  dialtone.teams_phone.teams_auto_attendant:
    name: Seattle Main
    greeting: Welcome to Contoso Seattle.

- name: Remove the auto attendant (its resource accounts are unlinked first)
  dialtone.teams_phone.teams_auto_attendant:
    name: Seattle Main
    state: absent
'''

RETURN = r'''
auto_attendant:
  description:
    - The auto attendant as the service returns it after the change (predicted in check mode, where a new one has
      no C(id)); C({}) after O(state=absent).
  returned: always
  type: dict
  contains:
    id: {description: Auto attendant id., type: str, sample: 2f0c9a6e-8b1d-4c3e-9f7a-6d5e4c3b2a10}
    name: {description: Name., type: str, sample: Seattle Main}
    languageId: {description: Language., type: str, sample: en-US}
    voiceId: {description: "Voice, C(Female) or C(Male).", type: str, sample: Female}
    timeZoneId: {description: Windows time zone id., type: str, sample: Pacific Standard Time}
    voiceResponseEnabled: {description: Voice inputs., type: bool, sample: false}
    defaultCallFlow:
      description:
        - The business-hours call flow, with C(greetings) and C(menu) (C(prompts), C(menuOptions),
          C(directorySearchMethod) C(None), C(ByName) or C(ByExtension), C(dialByNameEnabled)).
        - Each of C(menuOptions) has C(dtmfResponse) (C(Tone0)-C(Tone9), C(ToneStar), C(TonePound)), C(action)
          (C(TransferCallToTarget), C(TransferCallToOperator), C(DisconnectCall)) and, for transfers, C(callTarget)
          (C(id), C(type) C(User), C(ApplicationEndpoint) or C(SharedVoicemail)).
      type: dict
    operator: {description: "The operator (C(id), C(type) C(User) or C(ApplicationEndpoint)) or null.", type: dict}
    callFlows: {description: The after-hours and holiday call flows., type: list, elements: dict}
    schedules:
      description: Business hours (C(type) C(WeeklyRecurrence), C(isComplemented)) and holidays (C(type) C(Fixed)).
      type: list
      elements: dict
    callHandlingAssociations:
      description: Which call flow answers in which schedule (C(type) C(AfterHours) or C(Holiday)), by C(priority).
      type: list
      elements: dict
    directoryLookupScope:
      description: Dial scope; C(inclusionScope.groupDialScope.groupIds) when restricted to groups.
      type: dict
    applicationInstances:
      description: Object ids of the resource accounts the auto attendant answers for.
      type: list
      elements: str
resource_accounts:
  description: The links of the resource accounts the auto attendant answers for, as the service returns them.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Resource account object id., type: str}
    configurationType: {description: Always C(AutoAttendant)., type: str}
    configurationId: {description: Auto attendant id (null in check mode for a new one)., type: str}
    callPriority: {description: "Call priority, 1 to 5.", type: int, sample: 3}
'''
