/* proto/error.h — rapport's error codes: negative ints in a reserved range,
 * shared by proto/ and node/, with one rp_strerror() for all of them. */
#ifndef RP_ERROR_H
#define RP_ERROR_H

enum {
	RP_OK        = 0,
	RP_EBASE     = -30900,
	RP_EINVAL    = -30900, /* bad argument or bad input */
	RP_ENOMEM    = -30901, /* out of memory */
	RP_EIO       = -30902, /* storage or file error */
	RP_ELIMIT    = -30903, /* a limit of proto/limits.h exceeded */
	RP_EFORMAT   = -30904, /* malformed encoding */
	RP_EVERSION  = -30905, /* written by a newer rapport */
	RP_ESIG      = -30906, /* signature does not verify */
	RP_EHASH     = -30907, /* body does not match body_hash */
	RP_ENOTFOUND = -30908, /* no such account, id, member, ... */
	RP_EAMBIG    = -30909, /* a prefix or name matches more than one */
	RP_EEXIST    = -30910, /* already exists */
	RP_ENOTMEMBER= -30911, /* author or device is not in the roster */
	RP_EDENIED   = -30912, /* role does not allow it */
	RP_EEQUIV    = -30913, /* a different op with the same (author, seq) */
	RP_ENOTEAM   = -30914, /* this device is not in a team yet */
	RP_ENOKEY    = -30915, /* no device key: run rapport init */
	RP_EGAP      = -30916, /* seq does not follow the author's head */
	RP_ENOTAVAIL = -30917, /* not available yet */
	RP_EREVOKED  = -30918, /* the device or member was revoked */
	RP_EBUSY     = -30919, /* another process holds the home */
	RP_ENOSPC    = -30920, /* the disk holding the store is full */
	RP_EDUP      = -30921, /* the same op is held already: nothing changed */
	RP_ELAST     = -30921
};

/* A static English message for code (0 or an RP_E*); never NULL. */
const char *rp_strerror(int code);

#endif
