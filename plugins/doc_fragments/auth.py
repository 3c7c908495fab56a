# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options shared by every module of dialtone.teams_phone.
    DOCUMENTATION = r'''
options:
  tenant_id:
    description:
      - Entra ID tenant ID (a GUID) or one of the tenant's verified domains.
      - If not set, C(AZURE_TENANT_ID) is used.
    type: str
  client_id:
    description:
      - Application (client) ID of the app registration the modules sign in as.
      - If not set, C(AZURE_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - Client secret of the app registration. Never logged, and scrubbed from every output.
      - Mutually exclusive with O(certificate_path).
      - If not set, C(AZURE_CLIENT_SECRET) is used.
      - Pass it as a templated variable (for example from Ansible Vault), not as an inline C(!vault) value.
    type: str
  certificate_path:
    description:
      - Path to the certificate the app registration trusts, with its private key.
      - A PEM file holding the certificate and the key (the key may be encrypted), or a PKCS#12 file (C(.pfx), C(.p12)).
      - The module signs a client assertion (RFC 7523) with it; the key never leaves the controller.
      - If not set, C(AZURE_CLIENT_CERTIFICATE_PATH) is used.
    type: path
  certificate_password:
    description:
      - Password of an encrypted PEM key or of a PKCS#12 file. Never logged.
      - If not set, C(AZURE_CLIENT_CERTIFICATE_PASSWORD) is used.
    type: str
  assertion_algorithm:
    description:
      - Signature of the certificate client assertion.
      - V(PS256) signs with RSA-PSS and names the certificate by its SHA-256 thumbprint (C(x5t#S256)), as Entra ID documents today.
      - V(RS256) signs with PKCS#1 v1.5 and names it by its SHA-1 thumbprint (C(x5t)), the older form.
    type: str
    choices: [PS256, RS256]
    default: PS256
  cloud:
    description:
      - The Microsoft cloud the tenant lives in; selects the login, Graph and Teams admin endpoints.
      - V(usgov) is GCC High, V(dod) is DoD, V(china) is operated by 21Vianet. GCC tenants use V(public).
      - Shared Calling itself is offered in public clouds only.
    type: str
    choices: [public, usgov, dod, china]
    default: public
  login_endpoint:
    description:
      - Base URL of the Entra ID token service, overriding the one O(cloud) selects.
      - If not set, C(DIALTONE_LOGIN_ENDPOINT) is used.
      - Plain C(http://) is accepted only for loopback addresses (the built-in tenant simulator).
    type: str
  graph_endpoint:
    description:
      - Base URL of Microsoft Graph, overriding the one O(cloud) selects.
      - If not set, C(DIALTONE_GRAPH_ENDPOINT) is used.
    type: str
  teams_endpoint:
    description:
      - Base URL of the Teams admin API, overriding the one O(cloud) selects.
      - If not set, C(DIALTONE_TEAMS_ENDPOINT) is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificates of the services. Turning this off adds a warning to the result.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file or a directory of CA certificates to trust instead of the system store (a TLS-inspecting proxy, the simulator over HTTPS).
      - If not set, C(DIALTONE_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds one HTTP request may take before it is abandoned (and retried when that is safe).
    type: int
    default: 30
  max_retries:
    description:
      - The most times one request is retried after throttling (429), an unavailable service (503) or, for requests that are safe to repeat, another server error or a dropped connection.
      - A ceiling only; retries normally end when O(retry_timeout) or O(task_timeout) is spent.
      - A create that got no answer or a server error is never repeated blindly; the module reads it back by its name and creates it again only when it is not there.
    type: int
    default: 50
  retry_max_wait:
    description:
      - The longest wait, in seconds, the module accepts from a C(Retry-After) header before it gives up.
    type: int
    default: 60
  retry_timeout:
    description:
      - The retry budget of one request, in seconds, counted from its first attempt. Retries (with C(Retry-After), else exponential backoff with jitter) go on until the next wait would pass it, so a transient storm of errors is ridden out.
      - V(0) leaves only O(max_retries) and O(task_timeout).
    type: int
    default: 300
  task_timeout:
    description:
      - The retry budget of the whole task, in seconds, counted from the module's start. Once spent, a failed request is no longer retried.
      - V(0) means no limit.
    type: int
    default: 3600
  graph_requests_per_second:
    description:
      - Most requests per second sent to Microsoft Graph by one task (a token bucket shared by every request of the task; a C($batch) counts as the requests it carries).
      - The default is the identity and access limit Microsoft publishes for the smallest tenants (3,500 resource units per 10 seconds per app and tenant; a request costs at least one). See U(https://learn.microsoft.com/graph/throttling-limits).
      - Graph C(/admin/teams) requests are paced by O(teams_requests_per_second) instead.
      - The rate is lowered further while the service answers 429, and the whole bucket waits for the C(Retry-After) it sends. V(0) turns pacing off.
    type: int
    default: 350
  teams_requests_per_second:
    description:
      - Most requests per second sent to the Teams admin API, and, in a bucket of their own, to Graph C(/admin/teams) paths, by one task.
      - The default is the Microsoft Teams limit Microsoft publishes for Graph (30 requests per second per app per tenant); the Teams admin API publishes none and is paced the same. See U(https://learn.microsoft.com/graph/throttling-limits#microsoft-teams-service-limits).
      - Tasks running at the same time (forks, other playbooks) share the tenant's limit but not the bucket; lower it for them.
      - The rate is lowered further while the service answers 429, and the whole bucket waits for the C(Retry-After) it sends. V(0) turns pacing off.
    type: int
    default: 30
  max_concurrency:
    description:
      - Most requests in flight at once for bulk work, a ceiling on top of the pacing. Halved as soon as the service throttles, then grown back.
    type: int
    default: 8
  token_cache:
    description:
      - File in which access tokens are cached between tasks, keyed by tenant, client and audience, so that a playbook signs in once per token lifetime.
      - The file is created with mode 0600 and refused when its mode is looser or another user owns it. It never holds the secret or the certificate password.
      - If not set, C(DIALTONE_TOKEN_CACHE) is used. Without it every task signs in anew.
    type: path
notes:
  - The app registration needs the Microsoft Graph application permissions the module's documentation names, and its service principal the Teams Administrator directory role for the Teams admin API.
  - While a task runs, its arguments file holds the secret in clear text in Ansible's private temporary directory; C(ANSIBLE_KEEP_REMOTE_FILES=1) leaves it on disk.
'''
