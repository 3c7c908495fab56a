/*
 * sim.h - the tenant simulator from a Criterion test: start one on a free
 * loopback port, talk to its control endpoint, read its request log, stop it.
 *
 * sim_start() runs
 *   /usr/bin/python3 tests/tenantsim/tenantsim.py --port 0 --url-file F [args]
 * in a private temporary directory and waits for F. The simulator's stdout
 * and stderr go to a file in that directory (never to the test's output);
 * it dies with the test process (PR_SET_PDEATHSIG) and with sim_stop(),
 * which also removes the directory. The script is found from the current
 * directory (the repository root, as tests/run.sh runs) or from the test
 * binary's location (build/tests/).
 *
 * Under valgrind --trace-children=yes, skip the simulator:
 *   --trace-children-skip='*python*'
 */
#ifndef DIALTONE_TEST_SIM_H
#define DIALTONE_TEST_SIM_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* The default tenant and app of the simulator's fixture. */
#define SIM_TENANT_ID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define SIM_CLIENT_ID "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
#define SIM_SECRET "sim-Secret-4f9a7Qx2"

struct sim {
	pid_t pid;
	char dir[256];       /* private temporary directory */
	char url[256];       /* "http://127.0.0.1:PORT" (or https) */
	char cafile[512];    /* CA for an https simulator's control calls, or "" */
};

/*
 * Starts a simulator. extra_args (NULL-terminated, may be NULL) are added
 * to the command line (e.g. "--tls-cert", path, "--tls-key", path, "--seed",
 * "7"). cafile (may be NULL) is the CA the control calls trust.
 * @return 0, or -1 (nothing left running)
 */
int sim_start(struct sim *s, const char *const *extra_args, const char *cafile);
/* Stops the simulator and removes its directory; safe to call twice. */
void sim_stop(struct sim *s);

/*
 * One control call: method and path ("/_sim/faults") with an optional JSON
 * body.
 * @param[out] out  the parsed answer or NULL (may be NULL itself)
 * @return the HTTP status, or -1 when no answer came
 */
long sim_control(cJSON **out, const struct sim *s, const char *method,
    const char *path, const char *json);

/* GET /_sim/requests: the "requests" array; the caller frees the result. */
cJSON *sim_requests(const struct sim *s);

/*
 * Counts log entries of service and method whose path starts with prefix
 * (NULL matches any) and, when status >= 0, whose status is status.
 */
int sim_count(const cJSON *requests, const char *service, const char *method,
    const char *prefix, long status);

/*
 * Module options pointing every service at s: tenant, client, the secret
 * when with_secret, login/graph/teams endpoints, and the defaults of the
 * other connection options (sim_conn_defaults()). The caller frees it; a
 * test changes an option with cj_set(), not by adding it again.
 */
cJSON *sim_params(const struct sim *s, bool with_secret);

/*
 * Adds the default of every connection option (ARGS_CONN) that params lacks,
 * as args_validate() would, without checking anything: the options svc_open()
 * reads are then those a module run gets.
 */
void sim_conn_defaults(cJSON *params);

#endif
