/* node/load.c — the import verb (see load.h): the planner of crm/import.c
 * reads and checks the file, and each account of its plan is written here
 * through the edit verbs, the checks of any local edit included. */
#include <stdio.h>

#include "load.h"
#include "edit.h"
#include "node.h"
#include "crm/import.h"

/* A write call refused: say which line (and entry) of the file it came from. */
static int s_refused(const char *path, const rp_plan_acct *a, const char *what, size_t index, int rc)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", *rp_errmsg() ? rp_errmsg() : rp_strerror(rc));
	if (what)
		return rp_fail(rc, "%s:%zu: %s[%zu]: %s", path, a->line, what, index, msg);
	return rp_fail(rc, "%s:%zu: %s", path, a->line, msg);
}

static int s_write_acct(void *arg, rp_write *w, const char *path, rp_plan_acct *a)
{
	uint8_t ref[RP_REF_LEN];
	size_t i;
	int rc;

	(void)arg;
	if (!a->exists && (rc = rp_edit_account_add(w, a->name, a->owner, 0, a->id, a->id)))
		return s_refused(path, a, NULL, 0, rc);
	for (i = 0; i < a->nfields; i++)
		if ((rc = rp_account_set(w, a->id, a->fields[i].key, a->fields[i].value)))
			return s_refused(path, a, NULL, 0, rc);
	for (i = 0; i < a->ntags; i++)
		if ((rc = rp_account_tag(w, a->id, a->tags[i], 0)))
			return s_refused(path, a, NULL, 0, rc);
	for (i = 0; i < a->ncontacts; i++) {
		rp_plan_contact *c = &a->contacts[i];
		if ((rc = rp_contact_add(w, a->id, c->name, c->role, c->email, c->phone, c->prefer, ref)))
			return s_refused(path, a, "contacts", c->index, rc);
	}
	for (i = 0; i < a->nixs; i++) {
		rp_plan_ix *x = &a->ixs[i];
		if ((rc = rp_ix_log(w, a->id, &x->spec, x->ref)) ||
		    (x->resolution && (rc = rp_edit_close(w, a->id, "complaint.resolve",
		                                          rp_write_last_opid(w), x->resolution))))
			return s_refused(path, a, "interactions", x->index, rc);
	}
	for (i = 0; i < a->nfus; i++) {
		rp_plan_fu *f = &a->fus[i];
		if ((rc = rp_fu_add(w, a->id, f->text, f->due, f->assignee, f->ref)) ||
		    (f->done && (rc = rp_edit_close(w, a->id, "fu.done", rp_write_last_opid(w), f->done_text))))
			return s_refused(path, a, "followups", f->index, rc);
	}
	return 0;
}

int rp_import(rp_node *n, const char *path, const rp_import_opts *opts, json_t **report)
{
	return rp_import_run(n, path, opts, s_write_acct, NULL, report);
}
