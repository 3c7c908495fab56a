# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Dialtone maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The snapshot option of every module a compliance run checks a site with.
    DOCUMENTATION = r'''
options:
  snapshot:
    description:
      - In check mode, read the tenant from this file instead of from the services. It is the file
        M(dialtone.teams_phone.teams_rollout_preflight) wrote with its O(dialtone.teams_phone.teams_rollout_preflight#module:snapshot)
        option earlier in the same run, so that a compliance run reads the tenant once for every site.
      - What the file holds is the tenant as that read saw it; what it does not hold is read from the tenant as
        usual. A file that cannot be read, or that was written for another tenant, is an error.
      - The links of an auto attendant come from the auto attendants in the file, so the C(callPriority) of a link
        already in place is returned only when the task sets O(dialtone.teams_phone.teams_auto_attendant#module:call_priority).
      - Ignored outside check mode, with a warning; a run that writes always reads the tenant.
    type: path
'''
