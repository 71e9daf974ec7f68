/* proto/error.c — the one table of error messages for every RP_E* code.
 * Static strings only: callers print them, never free them. */
#include "error.h"

#include <stddef.h>

/* Indexed by RP_EBASE - code, so a new code is one line here and one in
 * error.h; the static assert below catches a forgotten line. */
static const char *const s_messages[] = {
	"invalid argument or input",               /* RP_EINVAL */
	"out of memory",                           /* RP_ENOMEM */
	"storage or file error",                   /* RP_EIO */
	"a size or count limit was exceeded",      /* RP_ELIMIT */
	"malformed encoding",                      /* RP_EFORMAT */
	"written by a newer version of rapport",   /* RP_EVERSION */
	"signature does not verify",               /* RP_ESIG */
	"body does not match its hash",            /* RP_EHASH */
	"not found",                               /* RP_ENOTFOUND */
	"ambiguous: matches more than one",        /* RP_EAMBIG */
	"already exists",                          /* RP_EEXIST */
	"author or device is not in the roster",   /* RP_ENOTMEMBER */
	"permission denied by role",               /* RP_EDENIED */
	"equivocation: a different op with the same author and seq", /* RP_EEQUIV */
	"this device is not in a team yet",        /* RP_ENOTEAM */
	"no device key: run rapport init",         /* RP_ENOKEY */
	"seq does not follow the author's head",   /* RP_EGAP */
	"not available yet",                       /* RP_ENOTAVAIL */
	"revoked from the team",                   /* RP_EREVOKED */
	"another process holds the home",          /* RP_EBUSY */
	"the disk holding the store is full",      /* RP_ENOSPC */
	"already held: nothing changed",           /* RP_EDUP */
};

_Static_assert(sizeof s_messages / sizeof s_messages[0] == RP_EBASE - RP_ELAST + 1,
	"every RP_E* code needs a message");

const char *rp_strerror(int code)
{
	if (code == RP_OK)
		return "success";
	if (code > RP_EBASE || code < RP_ELAST)
		return "unknown error";
	return s_messages[RP_EBASE - code];
}
