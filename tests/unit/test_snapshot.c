/*
 * test_snapshot.c - the tenant snapshot: written once, read back by kind,
 * only in check mode, only for its own tenant; an unreadable file is an
 * error, never "absent".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cj.h"
#include "snapshot.h"
#include "teamsadmin.h"

#define TENANT "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"

static char dir[] = "/tmp/dialtone-snap-XXXXXX";
static char *path;

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	path = xasprintf("%s/contoso.snapshot", dir);
}

static void
teardown(void)
{
	(void)unlink(path);
	free(path);
	(void)rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

/* A context as module.c makes it for a check run with tenant_id set. */
static void
ctx_init(struct core_ctx *ctx, cJSON **params, const char *tenant, bool check)
{
	core_ctx_init(ctx, "dialtone.teams_phone.test");
	*params = cj_object();
	cj_set_str(*params, "tenant_id", tenant);
	ctx->params = *params;
	ctx->check_mode = check;
}

/* Writes a snapshot with two kinds and one user line. */
static void
write_one(void)
{
	struct core_ctx ctx;
	struct snapshot_out *w;
	cJSON *params, *kinds = cj_object(), *skus = cj_array(), *pol = cj_array(), *p;
	char *pk = snapshot_policy_kind("TeamsSharedCallingRoutingPolicy");

	ctx_init(&ctx, &params, TENANT, true);
	p = cj_object();
	cj_set_str(p, "skuPartNumber", "MCOEV");
	cj_push(skus, p);
	p = cj_object();
	cj_set_str(p, "Identity", "Tag:SC-Seattle");
	cj_push(pol, p);
	cj_set(kinds, SNAP_SKUS, skus);
	cj_set(kinds, pk, pol);
	cr_assert_eq(snapshot_begin(&w, &ctx, path, kinds), CORE_OK);
	cr_assert_eq(snapshot_line(w, "{\"id\":\"u1\",\"configuration\":{}}"), CORE_OK);
	cr_assert_eq(snapshot_end(w, true), CORE_OK);
	cJSON_Delete(kinds);
	cJSON_Delete(params);
	free(pk);
	core_ctx_release(&ctx);
}

/* Writes text as the whole file at path. */
static void
write_text(const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* A check run of TENANT reading path: the first read fails with a message containing what. */
static void
expect_refused(const char *what)
{
	struct core_ctx ctx;
	cJSON *params;
	const cJSON *d;

	ctx_init(&ctx, &params, TENANT, true);
	snapshot_use(&ctx, path);
	cr_assert_eq(snapshot_get(&d, &ctx, SNAP_SKUS), CORE_EARGS);
	cr_assert_not_null(ctx.msg);
	cr_expect(strstr(ctx.msg, what) != NULL, "%s", ctx.msg);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}

TestSuite(snapshot, .init = setup, .fini = teardown);

Test(snapshot, reads_back_the_kinds_it_carries)
{
	struct core_ctx ctx;
	cJSON *params, *copy = NULL;
	const cJSON *d;
	char *pk = snapshot_policy_kind("TeamsSharedCallingRoutingPolicy");
	bool carried;
	struct stat st;

	write_one();
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	ctx_init(&ctx, &params, TENANT, true);
	snapshot_use(&ctx, path);
	cr_assert_eq(snapshot_get(&d, &ctx, SNAP_SKUS), CORE_OK);
	cr_assert_not_null(d);
	cr_expect_str_eq(cj_str(cJSON_GetArrayItem(d, 0), "skuPartNumber"), "MCOEV");
	/* Found in any case; a name it lacks is absent, without a message. */
	cr_assert_eq(snapshot_find(&copy, &carried, &ctx, pk, "Identity", NULL, "tag:sc-seattle"),
	    CORE_OK);
	cr_expect(carried);
	cr_expect_str_eq(cj_str(copy, "Identity"), "Tag:SC-Seattle");
	cJSON_Delete(copy);
	copy = NULL;
	cr_expect_eq(snapshot_find(&copy, &carried, &ctx, pk, "Identity", NULL, "Tag:Other"),
	    CORE_ENOTFOUND);
	cr_expect_null(copy);
	cr_expect_null(ctx.msg);
	/* A kind it does not carry is left to the service. */
	cr_assert_eq(snapshot_copy(&copy, &carried, &ctx, SNAP_NUMBERS), CORE_OK);
	cr_expect_not(carried);
	cr_expect_null(ctx.msg);
	cJSON_Delete(params);
	free(pk);
	core_ctx_release(&ctx);
}

Test(snapshot, is_not_used_outside_check_mode)
{
	struct core_ctx ctx;
	cJSON *params;
	const cJSON *d = (const cJSON *)1;

	write_one();
	ctx_init(&ctx, &params, TENANT, false);
	snapshot_use(&ctx, path);
	cr_assert_eq(snapshot_get(&d, &ctx, SNAP_SKUS), CORE_OK);
	cr_expect_null(d);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}

Test(snapshot, without_one_every_kind_is_read_from_the_service)
{
	struct core_ctx ctx;
	cJSON *params;
	const cJSON *d = (const cJSON *)1;

	ctx_init(&ctx, &params, TENANT, true);
	cr_assert_eq(snapshot_get(&d, &ctx, SNAP_SKUS), CORE_OK);
	cr_expect_null(d);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}

Test(snapshot, refuses_another_tenants_file)
{
	struct core_ctx ctx;
	cJSON *params;
	const cJSON *d;

	write_one();
	ctx_init(&ctx, &params, "11111111-2222-4333-8444-555555555555", true);
	snapshot_use(&ctx, path);
	cr_assert_eq(snapshot_get(&d, &ctx, SNAP_SKUS), CORE_EARGS);
	cr_assert_not_null(ctx.msg);
	cr_expect(strstr(ctx.msg, "was written for tenant '" TENANT "'") != NULL, "%s", ctx.msg);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}

Test(snapshot, a_missing_or_foreign_file_is_an_error_not_absent)
{
	expect_refused("cannot be read");
	/* The users' lines alone (no header) are not a tenant snapshot. */
	write_text("{\"id\":\"u1\",\"configuration\":{}}\n");
	expect_refused("not a snapshot");
}

Test(snapshot, a_listed_kind_missing_from_the_file_is_an_error)
{
	write_text("{\"dialtone_snapshot\":1,\"tenant\":\"" TENANT "\",\"kinds\":[\"skus\"]}\n");
	expect_refused("does not hold it");
}

Test(snapshot, a_failed_write_leaves_nothing_behind)
{
	struct core_ctx ctx;
	struct snapshot_out *w;
	cJSON *params, *kinds = cj_object();
	char *tmp = xasprintf("%s.tmp", path);

	ctx_init(&ctx, &params, TENANT, true);
	cj_set(kinds, SNAP_SKUS, cj_array());
	cr_assert_eq(snapshot_begin(&w, &ctx, path, kinds), CORE_OK);
	cr_assert_eq(snapshot_end(w, false), CORE_OK);
	cr_expect_neq(access(path, F_OK), 0);
	cr_expect_neq(access(tmp, F_OK), 0);
	cJSON_Delete(kinds);
	cJSON_Delete(params);
	free(tmp);
	core_ctx_release(&ctx);
}

Test(snapshot, a_keyed_kind_answers_for_its_keys_only)
{
	struct core_ctx ctx;
	struct snapshot_out *w;
	cJSON *params, *kinds = cj_object(), *acc = cj_object(), *u = cj_object(), *copy = NULL;
	bool carried;

	ctx_init(&ctx, &params, TENANT, true);
	cj_set_str(u, "id", "5e6f");
	cj_set(acc, "sc-seattle@contoso.com", u);
	cj_set(acc, "sc-gone@contoso.com", cJSON_CreateNull());
	cj_set(kinds, SNAP_ACCOUNTS, acc);
	cr_assert_eq(snapshot_begin(&w, &ctx, path, kinds), CORE_OK);
	cr_assert_eq(snapshot_end(w, true), CORE_OK);
	snapshot_use(&ctx, path);
	cr_assert_eq(snapshot_lookup(&copy, &carried, &ctx, SNAP_ACCOUNTS, "SC-Seattle@contoso.com"),
	    CORE_OK);
	cr_expect(carried);
	cr_expect_str_eq(cj_str(copy, "id"), "5e6f");
	cJSON_Delete(copy);
	copy = NULL;
	/* Known to be absent, without a message. */
	cr_expect_eq(snapshot_lookup(&copy, &carried, &ctx, SNAP_ACCOUNTS, "sc-gone@contoso.com"),
	    CORE_ENOTFOUND);
	cr_expect(carried);
	cr_expect_null(ctx.msg);
	/* Not held: for the service. */
	cr_expect_eq(snapshot_lookup(&copy, &carried, &ctx, SNAP_ACCOUNTS, "user@contoso.com"),
	    CORE_OK);
	cr_expect_not(carried);
	cr_expect_null(copy);
	cJSON_Delete(kinds);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}

Test(snapshot, an_auto_attendant_it_carries_gives_its_links_without_priority)
{
	struct core_ctx ctx;
	struct snapshot_out *w;
	cJSON *params, *kinds, *a = NULL;

	ctx_init(&ctx, &params, TENANT, true);
	kinds = cJSON_Parse("{\"" SNAP_AUTO_ATTENDANTS "\": [{\"id\": \"aa1\", \"name\": \"Main\","
	    " \"applicationInstances\": [\"RA-1\", \"ra-2\"]}]}");
	cr_assert_not_null(kinds);
	cr_assert_eq(snapshot_begin(&w, &ctx, path, kinds), CORE_OK);
	cr_assert_eq(snapshot_end(w, true), CORE_OK);
	snapshot_use(&ctx, path);
	cr_assert_eq(ta_association_get(&a, &ctx, "ra-1", false), CORE_OK);
	cr_expect_str_eq(cj_str(a, "configurationId"), "aa1");
	cr_expect_str_eq(cj_str(a, "configurationType"), "AutoAttendant");
	cr_expect_str_eq(cj_str(a, "id"), "ra-1");
	cr_expect_null(cJSON_GetObjectItem(a, "callPriority"));
	cJSON_Delete(a);
	cJSON_Delete(kinds);
	cJSON_Delete(params);
	core_ctx_release(&ctx);
}
