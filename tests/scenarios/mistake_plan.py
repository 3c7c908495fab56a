#!/usr/bin/env python3
"""Writes the demo rollout plan with one of the seed article's six common
mistakes written into one site: mistake_plan.py N OUT.yml. Prints the site."""
import sys

import yaml

HOST_VARS = "playbooks/demo/host_vars/contoso.yml"


def site(plan, name):
    return next(s for s in plan["shared_calling_sites"] if s["name"] == name)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    plan = yaml.safe_load(open(HOST_VARS))
    if n == 1:    # no emergency address for the shared number
        s = site(plan, "seattle")
        s["emergency_address"] = {"description": "Seattle annex"}
    elif n == 2:  # a user with a personal number gets the policy
        s = site(plan, "seattle")
        s["users"]["personal_number"] = "fail"
    elif n == 3:  # Direct Routing account without a voice routing policy with usages
        s = site(plan, "redmond")
        del s["resource_account"]["voice_routing_policy"]
    elif n == 4:  # resource account not licensed
        s = site(plan, "chicago")
        del s["resource_account"]["licenses"]
    elif n == 5:  # Calling Plan without pay-as-you-go and Communications Credits
        s = site(plan, "seattle")
        s["resource_account"]["licenses"] = ["PHONESYSTEM_VIRTUALUSER"]
    elif n == 6:  # emergency callback number of another type than the shared number
        site(plan, "redmond")["policy"]["emergency_numbers"] = []
        s = site(plan, "chicago")
        s["policy"]["emergency_numbers"] = ["+14255550101"]
    else:
        sys.exit("mistake 1 to 6")
    yaml.safe_dump(plan, open(out, "w"), sort_keys=False)
    print(s["name"])


if __name__ == "__main__":
    main()
