#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Documentation only: the module itself is the compiled binary beside this file.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: teams_pstn_usage_info
short_description: Audit external call patterns to find Shared Calling candidates, and price the saving
version_added: 0.1.0
description:
  - Answers the question the seed article ends on. Which users make so few external calls that a shared
    number serves them, and what does moving them save?
  - Reads the PSTN call records of a window of O(weeks) whole weeks ending at O(end). It reads
    C(getPstnCalls) for Calling Plan and Operator Connect calls, and C(getDirectRoutingCalls) for Direct
    Routing calls (O(sources)). It also reads, in bulk, every user holding Teams Phone, so users with no call at
    all count too.
  - Counts, per user, outbound, inbound and emergency external calls, their minutes, and their charges where
    the records carry them. Calling Plan and Operator Connect records carry charges; Direct Routing records do not.
  - Sorts the users into three classes. V(candidate) users make fewer than O(threshold) outbound external calls
    a week. V(personal) users make O(threshold) or more and keep a personal number. V(no_calls) users have no call
    in the window.
  - Prices two models with O(prices) and returns them in the seed article's table form. The first gives
    personal numbers to everyone. The second is the hybrid the audit proposes. Personal users keep their own
    number. Candidates and users without calls use Shared Calling with O(resource_accounts) shared numbers,
    paying pay-as-you-go minutes for the outbound calls they make. The saving is returned as an amount and a
    percentage.
  - The default prices are examples only. Replace them with your own contract's prices. See docs/candidates.md.
  - Read-only. The C(playbooks/candidates.yml) playbook turns the result into a report and a vars file of
    candidates that the rollout takes as a site's users.
  - This module is a compiled binary; this file only documents it.
author:
  - Dialtone maintainers (@dialtone)
options:
  weeks:
    description:
      - Length of the window in whole weeks, from 1 to 52. Weekly figures are the window's counts divided by
        O(weeks).
    type: int
    default: 4
  end:
    description:
      - End of the window, exclusive, as a UTC date (V(2025-01-06), meaning 00:00 UTC) or an ISO 8601 date-time
        (V(2025-01-06T00:00:00Z); an offset such as V(+01:00) is allowed).
      - Defaults to today 00:00 UTC, so that the window is made of whole days.
      - Microsoft's PSTN usage data can lag activity by 24 to 48 hours. For a stable audit, end it two days back.
    type: str
  threshold:
    description:
      - Outbound external calls a week below which a user is a Shared Calling candidate. The seed article
        suggests 5 ("fewer than five external calls a week").
      - A user with exactly O(threshold) calls a week needs a personal number. Must be greater than 0.
    type: float
    default: 5.0
  sources:
    description:
      - Which call records to read.
      - V(pstn) reads C(getPstnCalls), the calls carried by Microsoft Calling Plans and by Operator Connect
        operators (their rows say C(callDurationSource=operator)). Telstra and Softbank calling plans are not
        returned. Available in the global service and US Gov L4/L5.
      - V(direct_routing) reads C(getDirectRoutingCalls), the calls that go through the tenant's own session
        border controllers (Direct Routing). Available in the global service only.
      - A tenant that mixes number types needs both; a user whose calls appear in both is counted once, with
        the calls of both.
    type: list
    elements: str
    choices: [pstn, direct_routing]
    default: [pstn, direct_routing]
  licensed_users:
    description:
      - Whether to read every user that holds Teams Phone, so that users without any call record are counted as
        V(no_calls).
      - The read is one filtered user list per licence that carries the Teams Phone service plan (Teams Phone
        Standard, and suites such as Microsoft 365 E5), 999 users a page. It needs C(User.Read.All) and
        C(Organization.Read.All). A licence whose Teams Phone plan is disabled does not count.
      - With V(false), only users with call records are audited, and RV(users[].teams_phone) is V(null).
    type: bool
    default: true
  personal_numbers:
    description:
      - Whether to read which users hold a personal number now (number assignments, 1,000 a page;
        C(TeamsTelephoneNumber.Read.All)). A personal number takes precedence over Shared Calling, so a
        candidate who keeps one does not use the shared number (seed article, mistake 2).
      - With V(false), RV(users[].personal_number) is V(null).
    type: bool
    default: true
  slice_days:
    description:
      - The window is read as independent queries of at most this many days (1 to 90; the service accepts at
        most 90 days). Each query follows its pages. Up to O(max_concurrency) queries are read at once.
      - Shorter slices read faster on large tenants, at the cost of a few more requests on small ones.
    type: int
    default: 7
  prices:
    description:
      - Monthly prices for the cost comparison, in O(currency).
      - The defaults are examples, not Microsoft's prices or a quote. Replace every one with your own.
    type: dict
    default: {}
    suboptions:
      teams_phone:
        description: Teams Phone, per user a month. Both models pay it for every user.
        type: float
        default: 10.0
      calling_plan:
        description:
          - What a personal number costs per user a month on top of Teams Phone. For a Calling Plan, the plan's
            licence. For Direct Routing, the per-user cost of a number and its share of the SBC and carrier.
        type: float
        default: 12.0
      resource_account:
        description:
          - What each shared number costs a month. This covers its resource account licence (the Teams Phone
            Resource Account licence has no charge within Microsoft's allowance) and, for a Calling Plan shared
            number, the pay-as-you-go Calling Plan licence, not the minutes.
        type: float
        default: 0.0
      payg_per_minute:
        description:
          - Pay-as-you-go rate per outbound minute on a shared number (Communications Credits).
          - The hybrid pays it for the outbound minutes the candidates made in the window, scaled to a month.
        type: float
        default: 0.02
  currency:
    description: ISO 4217 code of O(prices). Used as a label; nothing is converted.
    type: str
    default: USD
  resource_accounts:
    description:
      - How many shared numbers (resource accounts, typically one per site) the hybrid pays for.
      - Not counted when the audit proposes nobody for Shared Calling.
    type: int
    default: 1
extends_documentation_fragment:
  - dialtone.teams_phone.auth
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; runs normally in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Needs the Graph application permissions C(CallRecords.Read.All) (application only; delegated use is not
    supported), C(User.Read.All) and C(Organization.Read.All) (O(licensed_users)), and
    C(TeamsTelephoneNumber.Read.All) (O(personal_numbers)).
  - Call types are classified case-insensitively, as docs/design/services.md#call-types describes. A type containing C(ucap) is an
    auto attendant's or call queue's call and is left out. One containing C(emergency) is counted apart. Otherwise
    a type containing C(out) is outbound (C(user_out), C(user_out_conf), C(ByotOut), C(dr_out_user_transfer)), and
    one containing C(in) is inbound (C(user_in), C(conf_in), C(ByotIn)).
  - A Direct Routing call whose C(successfulCall) is V(false) was attempted but never connected. It is counted
    under RV(users[].unsuccessful_calls), not as a call.
  - A row is counted only by the query whose window its start falls in. C(getPstnCalls) includes the end time of
    a query and C(getDirectRoutingCalls) excludes it, so a call at a boundary is never counted twice.
  - Shared Calling users' inbound calls reach the auto attendant first, so their inbound counts are 0.
  - A read that fails fails the task. A partial audit is never returned.
  - The per-user list holds every audited user; on very large tenants consider running the audit per window of
    fewer weeks rather than reading months at once.
seealso:
  - module: dialtone.teams_phone.teams_user_voice
  - module: dialtone.teams_phone.teams_shared_calling_info
'''

EXAMPLES = r'''
- name: Audit the last four weeks with the seed article's threshold
  dialtone.teams_phone.teams_pstn_usage_info:
  register: audit

- name: Who could share a number
  ansible.builtin.debug:
    msg: "{{ audit.counts.candidates }} candidates, {{ audit.counts.personal }} need a personal number, {{ audit.counts.no_calls }} made no call"

- name: Eight weeks ending two days ago, with your own prices
  dialtone.teams_phone.teams_pstn_usage_info:
    weeks: 8
    end: "{{ '%Y-%m-%d' | strftime(now(utc=true).timestamp() | int - 2 * 86400, utc=true) }}"
    threshold: 3
    prices:
      teams_phone: 10.00
      calling_plan: 15.00
      resource_account: 4.00
      payg_per_minute: 0.018
    resource_accounts: 3
  register: audit

- name: The seed article's table
  ansible.builtin.debug:
    msg: "{{ audit.costs.table | map(attribute='model') | zip(audit.costs.table | map(attribute='monthly')) | list }}"

- name: Direct Routing calls only, without the licence read
  dialtone.teams_phone.teams_pstn_usage_info:
    sources: [direct_routing]
    licensed_users: false
  register: dr_audit
'''

RETURN = r'''
window:
  description: The window read.
  returned: success
  type: dict
  contains:
    start: {description: First second of the window (UTC)., type: str, sample: "2024-12-09T00:00:00Z"}
    end: {description: End of the window (UTC)., type: str, sample: "2025-01-06T00:00:00Z"}
    weeks: {description: Weeks in the window., type: int, sample: 4}
    sources: {description: The call records read., type: list, elements: str, sample: [pstn, direct_routing]}
threshold:
  description: The threshold used, in outbound calls a week.
  returned: success
  type: float
  sample: 5
users:
  description:
    - Every audited user, sorted by UPN. These are the users with call records in the window, and (with
      O(licensed_users)) every user holding Teams Phone.
    - C(id), C(userPrincipalName) and C(displayName) are Graph's. A user known only from call records that
      carried no UPN has a V(null) one.
  returned: success
  type: list
  elements: dict
  contains:
    id: {description: Entra object ID., type: str}
    userPrincipalName: {description: UPN., type: str, sample: adele@contoso.com}
    displayName: {description: Display name., type: str}
    class: {description: "V(candidate), V(personal) or V(no_calls)", type: str, sample: candidate}
    teams_phone: {description: Whether the user holds Teams Phone (V(null) without O(licensed_users))., type: bool}
    personal_number: {description: "The number the user holds now, or V(null).", type: str, sample: "+14255550101"}
    outbound_calls: {description: Outbound external calls in the window., type: int, sample: 12}
    inbound_calls: {description: Inbound external calls in the window., type: int, sample: 4}
    emergency_calls: {description: Emergency calls in the window (not counted as outbound)., type: int, sample: 0}
    unsuccessful_calls: {description: Direct Routing calls that never connected., type: int, sample: 0}
    outbound_per_week: {description: "Outbound calls a week, to 2 decimals.", type: float, sample: 3}
    inbound_per_week: {description: "Inbound calls a week, to 2 decimals.", type: float, sample: 1}
    outbound_minutes: {description: Connected minutes of the outbound calls in the window., type: float, sample: 52.5}
    inbound_minutes: {description: Connected minutes of the inbound calls in the window., type: float, sample: 8}
    charge:
      description: Sum of C(charge) and C(connectionCharge) of the user's calls, or V(null) when no record carried one.
      type: float
      sample: 1.05
    currency:
      description: Currency of the charge, as the records give it.
      type: str
      sample: USD
    sources: {description: The sources the user's calls came from., type: list, elements: str, sample: [pstn]}
candidates:
  description: UPNs of the candidates, sorted.
  returned: success
  type: list
  elements: str
personal:
  description: UPNs of the users who need a personal number, sorted.
  returned: success
  type: list
  elements: str
no_calls:
  description: UPNs of the users without any call in the window, sorted.
  returned: success
  type: list
  elements: str
counts:
  description: Totals of the classification.
  returned: success
  type: dict
  contains:
    users: {description: Audited users., type: int, sample: 300}
    candidates: {description: Candidates., type: int, sample: 183}
    personal: {description: Users who need a personal number., type: int, sample: 98}
    no_calls: {description: Users without calls., type: int, sample: 19}
    without_teams_phone: {description: Audited users without Teams Phone (V(null) without O(licensed_users))., type: int}
    shared_with_personal_number:
      description: Candidates and users without calls who hold a personal number now (V(null) without O(personal_numbers)).
      type: int
calls:
  description: What the call records held, over all users.
  returned: success
  type: dict
  contains:
    rows: {description: Records in the window (each record once; see C(repeated))., type: int}
    outbound: {description: Outbound calls., type: int}
    inbound: {description: Inbound calls., type: int}
    emergency: {description: Emergency calls., type: int}
    bot: {description: "Calls of auto attendants and call queues (C(ucap)), left out.", type: int}
    unsuccessful: {description: Direct Routing calls that never connected., type: int}
    unattributed: {description: Records naming no user., type: int}
    other: {description: Records whose type is neither outbound nor inbound., type: int}
    repeated:
      description: Records the reports repeated (the same C(id), on one page or across pages), counted once and left
        out of every other figure; a warning says so when there were any.
      type: int
distribution:
  description:
    - Users per bucket of outbound calls a week, for a chart. A bucket holds the users whose weekly figure is at least
      C(min) and below C(max). The last bucket has no upper bound (C(max) is V(null)).
  returned: success
  type: list
  elements: dict
  sample: [{"bucket": "0-1", "min": 0, "max": 1, "users": 40}, {"bucket": "25+", "min": 25, "max": null, "users": 7}]
costs:
  description:
    - The cost comparison, monthly, in O(currency), rounded to cents. A month is 365.25 / 12 days.
    - Personal numbers for all costs RV(counts.users) x (C(teams_phone) + C(calling_plan)).
    - The hybrid costs the personal users x (C(teams_phone) + C(calling_plan)), plus the Shared Calling users
      (candidates and users without calls) x C(teams_phone), plus O(resource_accounts) x C(resource_account), plus
      the Shared Calling users' outbound minutes a month x C(payg_per_minute).
  returned: success
  type: dict
  contains:
    currency: {description: O(currency)., type: str, sample: USD}
    prices: {description: The prices used., type: dict}
    weeks_per_month: {description: Weeks in a month (365.25 / 12 / 7)., type: float, sample: 4.3482}
    personal_for_all: {description: "C(users), C(monthly).", type: dict, sample: {"users": 2000, "monthly": 44000}}
    hybrid:
      description: C(personal_users), C(shared_users), C(resource_accounts), C(payg_minutes) (a month), C(breakdown) per line, C(monthly).
      type: dict
      sample: {"personal_users": 500, "shared_users": 1500, "resource_accounts": 4, "payg_minutes": 12000,
               "breakdown": {"personal": 11000, "shared": 15000, "resource_accounts": 0, "payg": 240}, "monthly": 26240}
    saving: {description: "C(monthly) and C(percent) of the personal-for-all cost.", type: dict, sample: {"monthly": 17760, "percent": 40.4}}
    table:
      description: The seed article's table, three rows of C(model) and C(monthly); the saving row also has C(percent).
      type: list
      elements: dict
      sample: [{"model": "Personal numbers for all (2,000 users)", "monthly": 44000},
               {"model": "Hybrid (500 personal + 1,500 Shared Calling + PAYG)", "monthly": 26240},
               {"model": "Savings", "monthly": 17760, "percent": 40.4}]
requests:
  description: Requests sent. C(pstn) and C(direct_routing) count the call-record pages; C(total) counts every request, tokens included.
  returned: success
  type: dict
  sample: {"pstn": 132, "direct_routing": 8, "total": 150}
'''
